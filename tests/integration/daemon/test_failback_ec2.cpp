// The whole loop with the real binary, aws_start and aws_stop against the suite's EC2 endpoint (which
// checks SigV4 as EC2 does): fail over, verify the backup is on air, recover, fail back; the exact EC2
// calls in order; a running backup is not started again; a verify deadline escalates once; `limit`
// holds back the third failover (no StartInstances reaches EC2), also after a restart.
#include "DaemonFixture.h"
#include "FakeEc2.h"
#include "FfmpegEncoder.h"
#include "IcecastServer.h"

#include <Poco/JSON/Parser.h>

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

/// The primary's two checks (and `extraChecks`), the recorder, aws_start and aws_stop on `ec2`, and
/// the head of a failover rule on the two checks: `rest` adds the rule's own keys and the sinks.
std::string failoverPipeline(const FakeEc2& ec2, const std::string& extraChecks, const std::string& rest) {
    return "checks:\n"
           "  encoder: { plugin: scripted, file: encoder.txt, interval: 50ms, timeout: 2s }\n"
           "  segments: { plugin: scripted, file: segments.txt, interval: 50ms, timeout: 2s }\n" +
           extraChecks +
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
           "    recover: notes\n" +
           rest;
}

std::string pipeline(const FakeEc2& ec2, const std::string& verifyWithin) {
    return failoverPipeline(ec2, "  backup_stream: { plugin: scripted, file: backup_stream.txt, interval: 50ms, timeout: 2s }\n",
                            "    verify: { checks: [backup_stream], within: " + verifyWithin +
                                " }\n"
                                "    failback: { after: 300ms, then: [stop_backup, notes] }\n"
                                "sinks:\n"
                                "  - plugin: sink_only\n");
}

/// Fails over to the backup at most twice a day, and stops it again once the primary stayed healthy,
/// so every failover needs a StartInstances. The history goes to SQLite, as a station's would.
std::string limitedPipeline(const FakeEc2& ec2) {
    return failoverPipeline(ec2, "",
                            "    limit: { count: 2, per: 24h }\n"
                            "    failback: { after: 200ms, then: [stop_backup, notes] }\n"
                            "sinks:\n"
                            "  - { plugin: sqlite, path: history.db }\n");
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

    explicit Station(const std::string& instanceState, const std::string& privateIp = "10.0.0.7") {
        ec2.addCredentials(kKey, kSecret);
        ec2.addInstance(kId, instanceState, "203.0.113.7", privateIp);
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

TEST_CASE(
    "limit against EC2: two failovers start the backup, the third in the window sends no StartInstances, nor does one after a restart") {
    Station s("stopped");
    const std::string file = s.f.writePipeline(limitedPipeline(s.ec2));
    auto incident = [&](const std::string& type, int n) {
        const int recovered = s.f.count("notes.jsonl", "recovered");
        s.primary("fail 0 sources");
        REQUIRE(waitUntil([&] { return s.f.count("notes.jsonl", type) == n; }, 10s));
        s.primary("pass");
        REQUIRE(waitUntil([&] { return s.f.count("notes.jsonl", "recovered") == recovered + 1; }, 10s));
    };
    std::size_t callsBeforeLimit = 0;
    {
        ChildProcess daemon(s.f.command("run", {file}));
        INFO(daemon.output());
        for (int n = 1; n <= 2; ++n) {
            incident("outcome", 2 * n - 1);
            // The failback's aws_stop: the instance is stopped again, so the next failover must start it.
            REQUIRE(waitUntil([&] { return s.f.count("notes.jsonl", "outcome") == 2 * n; }, 10s));
            CHECK(s.ec2.state(kId) == "stopped");
        }
        CHECK(s.ec2.succeeded("StartInstances") == 2);
        callsBeforeLimit = s.ec2.calls().size();
        incident("limited", 1);
        REQUIRE(stopsCleanly(daemon));
    }
    {
        ChildProcess daemon(s.f.command("run", {file}));
        INFO(daemon.output());
        incident("limited", 2);
        REQUIRE(stopsCleanly(daemon));
    }

    // What EC2 received: two starts, each stopped by its failback; nothing at all for the held-back ones.
    const std::string all = letters(s.ec2);
    INFO(all);
    CHECK(s.ec2.count("StartInstances") == 2);
    CHECK(s.ec2.succeeded("StartInstances") == 2);
    CHECK(s.ec2.succeeded("StopInstances") == 2);
    CHECK(s.ec2.calls().size() == callsBeforeLimit);
    CHECK(std::count(all.begin(), all.end(), 'S') == 2);
    CHECK(s.ec2.state(kId) == "stopped");

    // What the notifier got.
    const std::vector<std::string> once = {"warning", "outcome", "recovered", "failback", "outcome"};
    const std::vector<std::string> held = {"warning", "limited", "recovered"};
    std::vector<std::string> expected;
    for (const auto* part : {&once, &once, &held, &held}) expected.insert(expected.end(), part->begin(), part->end());
    CHECK(s.f.types("notes.jsonl") == expected);
    for (const auto& e : s.f.events("notes.jsonl")) {
        if (e.type != "limited") continue;
        INFO(e.summary);
        CHECK(e.summary.find("backup not run: the limit of 2 runs per 1 d is reached; it may run again at ") != std::string::npos);
        CHECK(e.summary.find(") if the checks still fail") != std::string::npos);
        CHECK(e.failing == std::vector<std::string>{"encoder", "segments"});
    }

    // What `encoder-watchdog history` shows: two limited events, two failbacks, four outcomes.
    auto [code, json] = runCommand(s.f.command("history", {file, "--since", "1h", "--json"}), 20s);
    REQUIRE(code == 0);
    Poco::JSON::Parser parser;
    auto records = parser.parse(json).extract<Poco::JSON::Object::Ptr>()->getArray("records");
    std::map<std::string, int> events;
    std::vector<std::string> limitedSummaries;
    for (std::size_t i = 0; i < records->size(); ++i) {
        auto record = records->getObject(static_cast<unsigned>(i));
        if (record->getValue<std::string>("kind") != "event") continue;
        auto event = record->getObject("event");
        ++events[event->getValue<std::string>("type")];
        if (event->getValue<std::string>("type") == "limited") limitedSummaries.push_back(event->getValue<std::string>("summary"));
    }
    CHECK(events["limited"] == 2);
    CHECK(events["failback"] == 2);
    CHECK(events["outcome"] == 2 + 2);
    CHECK(events["recovered"] == 4);
    for (const auto& summary : limitedSummaries) CHECK(summary.find("it may run again at ") != std::string::npos);
    auto [textCode, table] = runCommand(s.f.command("history", {file, "--since", "1h"}), 20s);
    REQUIRE(textCode == 0);
    CHECK(table.find("event limited (failover)") != std::string::npos);
}

TEST_CASE("verify from_backup against real icecast2: on air only when the source Icecast shows is the started instance's address") {
    IcecastServer server;
    // The "backup" encoder: a real ffmpeg feeding /live from 127.0.0.1.
    FfmpegEncoder encoder(FfmpegEncoder::icecastOnly(server.sourceUrl("/live")));
    REQUIRE_MESSAGE(server.waitForSource("/live", 15s), (encoder.output() + server.log()));
    for (const std::string privateIp : {"127.0.0.1", "10.0.0.7"}) {
        INFO("the started instance's private address: " << privateIp);
        Station s("stopped", privateIp);
        const std::string file = s.f.writePipeline(
            failoverPipeline(s.ec2,
                             "  backup_stream: { plugin: icecast, url: \"" + server.url() + "\", user: " + server.adminUser() +
                                 ", password: \"" + server.adminPassword() + "\", mount: /live, interval: 200ms, timeout: 2s }\n",
                             "    verify: { checks: [backup_stream], within: 3s, from_backup: true }\n"
                             "sinks:\n"
                             "  - plugin: sink_only\n"));
        ChildProcess daemon(s.f.command("run", {file}));
        INFO(daemon.output());
        s.primary("fail 0 sources");
        const bool backup = privateIp == "127.0.0.1";
        REQUIRE(s.f.waitForEvent("notes.jsonl", backup ? "verified" : "not_verified", 20s));
        daemon.signal(SIGTERM);
        REQUIRE(daemon.wait(5s) == 0);
        const auto notes = s.f.events("notes.jsonl");
        REQUIRE(notes.size() == 3);
        CHECK(s.f.types("notes.jsonl") == std::vector<std::string>{"warning", "outcome", backup ? "verified" : "not_verified"});
        if (backup) {
            CHECK(notes[2].summary.find("backup_stream passes fed by the backup (" + std::string(kId) +
                                        " at 203.0.113.7, private 127.0.0.1)") != std::string::npos);
        } else {
            CHECK(notes[2].summary == "Backup started but not on air: backup_stream does not pass 3 s after backup succeeded (" +
                                          std::string(kId) +
                                          " at 203.0.113.7, private 10.0.0.7); backup_stream is fed from 127.0.0.1, not the backup");
        }
    }
}
