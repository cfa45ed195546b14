// The whole loop with the real binary, aws_start and aws_stop against the suite's EC2 endpoint (which
// checks SigV4 as EC2 does): fail over, verify the backup is on air, recover, fail back; the exact EC2
// calls in order; a running backup is not started again; a verify deadline escalates once.
#include "DaemonFixture.h"
#include "FakeEc2.h"

#include <doctest/doctest.h>

#include <csignal>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

const char* kId = "i-0123456789abcdef0";
const char* kKey = "AKIAWATCHDOGTEST0001";
const char* kSecret = "s3cr3t/watchdog+KEY0123456789abcdefghij";

std::string ec2Action(const std::string& plugin, const FakeEc2& ec2) {
    return "{ plugin: " + plugin + ", instance_id: " + kId + ", region: eu-west-2, endpoint: \"" + ec2.url() +
           "\", access_key_id: " + kKey + ", secret_access_key: \"" + kSecret +
           "\", instance_role: false, poll_interval: 20ms, retry_backoff: 10ms }\n";
}

std::string pipeline(const FakeEc2& ec2, const std::string& verifyWithin) {
    return "checks:\n"
           "  encoder: { plugin: scripted, file: encoder.txt, interval: 50ms, timeout: 2s }\n"
           "  segments: { plugin: scripted, file: segments.txt, interval: 50ms, timeout: 2s }\n"
           "  backup_stream: { plugin: scripted, file: backup_stream.txt, interval: 50ms, timeout: 2s }\n"
           "actions:\n"
           "  notes: { plugin: recorder, file: notes.jsonl }\n"
           "  backup: " +
           ec2Action("aws_start", ec2) + "  stop_backup: " + ec2Action("aws_stop", ec2) +
           "rules:\n"
           "  failover:\n"
           "    when: 2 of [encoder, segments]\n"
           "    warn: notes\n"
           "    wait: 100ms\n"
           "    then: backup\n"
           "    recover: notes\n"
           "    verify: { checks: [backup_stream], within: " +
           verifyWithin +
           " }\n"
           "    failback: { after: 300ms, then: [stop_backup, notes] }\n"
           "sinks:\n"
           "  - plugin: sink_only\n";
}

/// The calls as letters: D(escribe), S(tart), X (stop), so the order reads at a glance.
std::string letters(const FakeEc2& ec2) {
    std::string out;
    for (const auto& c : ec2.calls()) {
        CHECK(c.status == 200);
        CHECK(c.params.at("InstanceId.1") == kId);
        out += c.action == "DescribeInstances" ? 'D' : c.action == "StartInstances" ? 'S' : c.action == "StopInstances" ? 'X' : '?';
    }
    return out;
}

int count(const std::vector<std::string>& types, const std::string& type) {
    return static_cast<int>(std::count(types.begin(), types.end(), type));
}

struct Station {
    DaemonFixture f;
    FakeEc2 ec2{"eu-west-2"};

    explicit Station(const std::string& instanceState) {
        ec2.addCredentials(kKey, kSecret);
        ec2.addInstance(kId, instanceState);
        f.script("encoder", "pass");
        f.script("segments", "pass");
        f.script("backup_stream", "fail no source connected from the backup");
    }
    void primary(const std::string& line) {
        f.script("encoder", line);
        f.script("segments", line);
    }
};

}  // namespace

TEST_CASE("fail over, verify, recover, fail back: Describe, Start, Describe..., later Describe, Stop, Describe...") {
    Station s("stopped");
    const std::string file = s.f.writePipeline(pipeline(s.ec2, "10s"));
    ChildProcess daemon(s.f.command("run", {file}));
    INFO(daemon.output());
    s.primary("fail 0 sources");
    REQUIRE(s.f.waitForEvent("notes.jsonl", "outcome"));
    CHECK(s.ec2.state(kId) == "running");
    const std::string started = letters(s.ec2);
    CHECK(started.substr(0, 2) == "DS");
    CHECK(started.find_first_not_of('D', 2) == std::string::npos);

    s.f.script("backup_stream", "pass 1 source from the backup");
    REQUIRE(s.f.waitForEvent("notes.jsonl", "verified"));
    s.primary("pass");
    REQUIRE(s.f.waitForEvent("notes.jsonl", "failback"));
    REQUIRE(waitUntil([&] { return count(s.f.types("notes.jsonl"), "outcome") == 2; }, 10s));
    daemon.signal(SIGTERM);
    REQUIRE(daemon.wait(5s) == 0);

    CHECK(s.ec2.state(kId) == "stopped");
    const std::string all = letters(s.ec2);
    REQUIRE(all.size() > started.size() + 2);
    CHECK(all.substr(started.size(), 2) == "DX");
    CHECK(all.find_first_not_of('D', started.size() + 2) == std::string::npos);
    CHECK(s.ec2.succeeded("StartInstances") == 1);
    CHECK(s.ec2.succeeded("StopInstances") == 1);

    const auto types = s.f.types("notes.jsonl");
    CHECK(types == std::vector<std::string>{"warning", "outcome", "verified", "recovered", "failback", "outcome"});
    const auto notes = s.f.events("notes.jsonl");
    CHECK(notes[1].summary.find(std::string("started ") + kId + " (was stopped): running at 203.0.113.7") == 0);
    CHECK(notes[2].summary.find("Backup on air after ") == 0);
    CHECK(notes[2].summary.find("backup_stream passes (" + std::string(kId) + " at 203.0.113.7, private 10.0.0.7)") != std::string::npos);
    CHECK(notes[3].summary.find("failing back in 300 ms if it stays so (stop_backup, notes)") != std::string::npos);
    CHECK(notes[5].summary == std::string("stopped ") + kId + " (was running)");
}

TEST_CASE("a backup already running is not started again, and a verify deadline that passes escalates once") {
    Station s("running");
    const std::string file = s.f.writePipeline(pipeline(s.ec2, "300ms"));
    ChildProcess daemon(s.f.command("run", {file}));
    INFO(daemon.output());
    s.primary("fail 0 sources");
    REQUIRE(s.f.waitForEvent("notes.jsonl", "not_verified"));
    waitUntil([] { return false; }, 400ms);  // more than another verify window: no second escalation
    daemon.signal(SIGTERM);
    REQUIRE(daemon.wait(5s) == 0);

    CHECK(letters(s.ec2) == "D");
    CHECK(s.ec2.count("StartInstances") == 0);
    const auto types = s.f.types("notes.jsonl");
    CHECK(types == std::vector<std::string>{"warning", "outcome", "not_verified"});
    const auto notes = s.f.events("notes.jsonl");
    CHECK(notes[1].summary == std::string(kId) + " is already running at 203.0.113.7 (private 10.0.0.7): nothing to do");
    CHECK(notes[2].summary == "Backup started but not on air: backup_stream does not pass 300 ms after backup succeeded (" +
                                  std::string(kId) + " at 203.0.113.7, private 10.0.0.7)");
    CHECK(notes[2].failing == std::vector<std::string>{"backup_stream"});
}
