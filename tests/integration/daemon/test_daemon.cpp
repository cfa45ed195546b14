// The real encoder-watchdog binary with scripted checks and recording actions: verbs, exit codes,
// the rule timeline, signals, daemon mode and resuming an incident after a restart.
#include "DaemonFixture.h"

#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

const char* kTwoChecks = R"(checks:
  encoder:
    plugin: scripted
    file: encoder.txt
    interval: 50ms
    timeout: 300ms
  segments:
    plugin: scripted
    file: segments.txt
    interval: 50ms
actions:
  notes: { plugin: recorder, file: notes.jsonl }
  backup: { plugin: recorder, file: backup.jsonl, role: remedy }
rules:
  failover:
    when: 2 of [encoder, segments]
    warn: notes
    wait: WAIT
    then: backup
    recover: notes
  online: { on: startup, then: notes }
  errors: { on: check_error, then: notes, throttle: 1h }
sinks:
  - plugin: sink_only
)";

std::string pipelineWithWait(const std::string& wait) {
    std::string body = kTwoChecks;
    body.replace(body.find("WAIT"), 4, wait);
    return body;
}

}  // namespace

TEST_CASE("check prints one line per check and exits 0, 2 or 3") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(pipelineWithWait("1s"));
    f.script({{"encoder", "pass 1 source connected"}, {"segments", "pass 3 segments"}});
    auto [code, out] = runCommand(f.command("check", {pipeline}), 10s);
    CHECK(code == 0);
    CHECK(out.find("encoder") != std::string::npos);
    CHECK(out.find("1 source connected") != std::string::npos);

    f.script("segments", "fail 40 segments, at most 30");
    std::tie(code, out) = runCommand(f.command("check", {pipeline}), 10s);
    CHECK(code == 2);
    CHECK(out.find("40 segments, at most 30") != std::string::npos);

    f.script("encoder", "error credentials refused");
    std::tie(code, out) = runCommand(f.command("check", {pipeline, "--json"}), 10s);
    CHECK(code == 3);
    Poco::JSON::Parser parser;
    auto json = parser.parse(out).extract<Poco::JSON::Object::Ptr>();
    CHECK(json->getValue<int>("errors") == 1);
    CHECK(json->getValue<int>("failed") == 1);
    auto first = json->getArray("checks")->getObject(0);
    CHECK(first->getValue<std::string>("id") == "encoder");
    CHECK(first->getValue<std::string>("status") == "error");
    CHECK(first->getValue<std::string>("summary") == "credentials refused");
}

TEST_CASE("check shows values as people read them: rounded percent, durations in s and min, a singular unit") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(
        "checks:\n"
        "  cpu: { plugin: scripted, file: cpu.txt }\n"
        "  age: { plugin: scripted, file: age.txt }\n"
        "  stall: { plugin: scripted, file: stall.txt }\n"
        "  sources: { plugin: scripted, file: sources.txt }\n"
        "sinks:\n  - plugin: sink_only\n");
    f.script({{"cpu", "pass load\nvalue=2.22059 %"},
              {"age", "pass newest segment\nvalue=9442 ms"},
              {"stall", "pass last stall\nvalue=130.4 s"},
              {"sources", "pass connected\nvalue=1 sources"}});
    auto [code, out] = runCommand(f.command("check", {pipeline}), 10s);
    CHECK(code == 0);
    CHECK(out ==
          "CHECK    STATUS  VALUE         SUMMARY\n"
          "cpu      pass    2.2 %         load\n"
          "age      pass    9.4 s         newest segment\n"
          "stall    pass    2 min 10 s    last stall\n"
          "sources  pass    1 source      connected\n");
}

TEST_CASE("check reports a hung check as timed out and still exits") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(pipelineWithWait("1s"));
    f.script({{"encoder", "hang"}, {"segments", "pass"}});
    auto [code, out] = runCommand(f.command("check", {pipeline}), 10s);
    CHECK(code == 3);
    CHECK(out.find("timed out after 300 ms") != std::string::npos);
}

TEST_CASE("validate prints FILE:LINE:COL for each problem and exits 2") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(R"(checks:
  encoder:
    plugin: scripted
    file: encoder.txt
    intervall: 5s
  other:
    plugin: scriptd
actions:
  broken: { plugin: wrong_abi }
)");
    auto [code, out] = runCommand(f.command("validate", {pipeline}), 10s);
    CHECK(code == 2);
    CHECK(out.find(pipeline + ":8:5: checks.encoder: unknown option 'intervall'") != std::string::npos);
    CHECK(out.find("did you mean 'interval'") != std::string::npos);
    CHECK(out.find(pipeline + ":10:13:") != std::string::npos);
    CHECK(out.find("did you mean 'scripted'") != std::string::npos);
    CHECK(out.find(pipeline + ":12:21:") != std::string::npos);
    CHECK(out.find("built for plugin ABI 999") != std::string::npos);
}

TEST_CASE("run: warning, countdown, one remedy, recovery, then a clean stop on SIGTERM") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(pipelineWithWait("300ms"));
    f.script({{"encoder", "pass"}, {"segments", "pass"}});
    ChildProcess daemon(f.command("run", {pipeline}));
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));

    f.script({{"encoder", "fail 0 sources"}, {"segments", "fail newest segment 20s old"}});
    REQUIRE(f.waitForEvent("notes.jsonl", "warning"));
    REQUIRE(f.waitForEvent("backup.jsonl", "failover"));
    REQUIRE(f.waitForEvent("notes.jsonl", "outcome"));
    f.script({{"encoder", "pass"}, {"segments", "pass"}});
    REQUIRE(f.waitForEvent("notes.jsonl", "recovered"));

    CHECK(stopsCleanly(daemon));
    const auto notes = f.events("notes.jsonl");
    std::vector<std::string> types;
    for (const auto& e : notes) types.push_back(e.type);
    CHECK(types == std::vector<std::string>{"startup", "warning", "outcome", "recovered", "shutdown"});
    CHECK(notes[1].failing == std::vector<std::string>{"encoder", "segments"});
    CHECK(notes[1].incident == notes[3].incident);
    CHECK(f.types("backup.jsonl") == std::vector<std::string>{"failover"});
    CHECK(daemon.output().find("stopping on SIGTERM") != std::string::npos);
}

TEST_CASE("run: the condition clearing during the countdown cancels the remedy") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(pipelineWithWait("1h"));
    f.script({{"encoder", "fail 0 sources"}, {"segments", "fail old"}});
    ChildProcess daemon(f.command("run", {pipeline}));
    REQUIRE(f.waitForEvent("notes.jsonl", "warning"));
    f.script("encoder", "pass");
    REQUIRE(f.waitForEvent("notes.jsonl", "cancelled"));
    CHECK(stopsCleanly(daemon, SIGINT));
    CHECK(f.types("backup.jsonl").empty());
}

TEST_CASE("run: a hung check becomes a check_error event and is not started again while it hangs") {
    DaemonFixture f;
    std::string body = pipelineWithWait("1h");
    body.replace(body.find("    file: encoder.txt"), 21, "    file: encoder.txt\n    runs_file: runs.txt");
    body.replace(body.find("    file: segments.txt"), 22, "    file: segments.txt\n    runs_file: segment_runs.txt");
    const std::string pipeline = f.writePipeline(body);
    f.script({{"encoder", "hang"}, {"segments", "pass"}});
    ChildProcess daemon(f.command("run", {pipeline}));
    REQUIRE(f.waitForEvent("notes.jsonl", "check_error"));
    const auto events = f.events("notes.jsonl");
    auto error = std::find_if(events.begin(), events.end(), [](const RecordedEvent& e) { return e.type == "check_error"; });
    CHECK(error->summary.find("timed out after 300 ms") != std::string::npos);
    // Several intervals pass while the first run still sleeps: still one run.
    waitUntil([] { return false; }, 400ms);
    CHECK(readFile(f.dir().file("runs.txt")) == "encoder\n");
    // The other check keeps its interval on a worker of its own while the first one hangs.
    const auto segmentRuns = [&] {
        const std::string runs = readFile(f.dir().file("segment_runs.txt"));
        return std::count(runs.begin(), runs.end(), '\n');
    };
    const auto runsDuringHang = segmentRuns();
    CHECK(waitUntil([&] { return segmentRuns() >= runsDuringHang + 5; }, 10s));
    CHECK(stopsCleanly(daemon));
}

TEST_CASE("SIGUSR1 sends a status report now; SIGHUP reloads a valid pipeline and keeps the old one otherwise") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(pipelineWithWait("1h"));
    f.script({{"encoder", "pass"}, {"segments", "pass"}});
    ChildProcess daemon(f.command("run", {pipeline}));
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));
    daemon.signal(SIGUSR1);
    REQUIRE(f.waitForEvent("notes.jsonl", "status"));

    f.writePipeline("checks:\n  encoder: { plugin: scripted, file: encoder.txt, interval: 50ms, bogus: 1 }\n");
    daemon.signal(SIGHUP);
    REQUIRE(waitUntil([&] { return daemon.output().find("reload refused") != std::string::npos; }, 10s));
    CHECK(daemon.output().find("unknown option 'bogus'") != std::string::npos);
    CHECK(daemon.running());

    std::string body = pipelineWithWait("1h");
    body.replace(body.find("    file: segments.txt"), 22, "    file: segments.txt\n    runs_file: reloaded.txt");
    f.writePipeline(body);
    daemon.signal(SIGHUP);
    REQUIRE(waitUntil([&] { return !readFile(f.dir().file("reloaded.txt")).empty(); }, 10s));
    CHECK(f.count("notes.jsonl", "startup") == 1);  // a reload is not a restart
    CHECK(stopsCleanly(daemon));
}

TEST_CASE("a restart during the countdown keeps the deadline, and a restart after the remedy never runs it again") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(pipelineWithWait("1500ms"));
    f.script({{"encoder", "fail 0 sources"}, {"segments", "fail old"}});
    {
        ChildProcess first(f.command("run", {pipeline}));
        REQUIRE(f.waitForEvent("notes.jsonl", "warning"));
        REQUIRE(stopsCleanly(first));
    }
    {
        ChildProcess second(f.command("run", {pipeline}));
        REQUIRE(f.waitForEvent("backup.jsonl", "failover"));
        REQUIRE(stopsCleanly(second));
    }
    {
        ChildProcess third(f.command("run", {pipeline}));
        REQUIRE(waitUntil([&] { return third.output().find("resuming rule failover (fired") != std::string::npos; }, 10s));
        waitUntil([] { return false; }, 300ms);
        REQUIRE(stopsCleanly(third));
    }
    const auto notes = f.events("notes.jsonl");
    int warnings = 0;
    for (const auto& e : notes) warnings += e.type == "warning";
    CHECK(warnings == 1);
    CHECK(f.types("backup.jsonl") == std::vector<std::string>{"failover"});
    CHECK(f.events("backup.jsonl")[0].incident == notes[1].incident);
}

TEST_CASE("--daemon --pidfile runs in the background, writes the pid file and removes it on SIGTERM") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(pipelineWithWait("1h"));
    f.script({{"encoder", "pass"}, {"segments", "pass"}});
    const std::string pidfile = f.dir().file("watchdog.pid");
    PidFileGuard guard{pidfile};
    auto [code, out] = runCommand(f.command("run", {pipeline, "--daemon", "--pidfile", pidfile}), 10s);
    CHECK(code == 0);
    REQUIRE(waitUntil([&] { return !readFile(pidfile).empty(); }, 10s));
    const int pid = std::stoi(readFile(pidfile));
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));
    CHECK(::kill(pid, 0) == 0);
    ::kill(pid, SIGTERM);
    CHECK(waitUntil([&] { return ::kill(pid, 0) != 0; }, 5s));
    CHECK(readFile(pidfile).empty());
    CHECK(f.waitForEvent("notes.jsonl", "shutdown"));
}

TEST_CASE("the status server of a running daemon shows the checks, takes POST /notify and the log file is written") {
    DaemonFixture f;
    const int port = freeLoopbackPort();
    std::string body = pipelineWithWait("1h");
    body = "log: { file: logs/watchdog.log, level: debug }\nhttp: { listen: 127.0.0.1:" + std::to_string(port) +
           ", token: \"${STATUS_TOKEN}\" }\n" + body;
    const std::string pipeline = f.writePipeline(body);
    f.script({{"encoder", "pass 1 source connected"}, {"segments", "fail 40 segments"}});
    auto argv = f.command("run", {pipeline});
    ChildProcess daemon(argv, {{"STATUS_TOKEN", "s3cret-token"}});
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));

    auto get = [&](const std::string& path, const std::string& method, bool withToken) {
        std::vector<std::string> curl{
            "curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, "http://127.0.0.1:" + std::to_string(port) + path};
        if (withToken) curl.insert(curl.begin() + 1, {"-H", "Authorization: Bearer s3cret-token"});
        return runCommand(curl, std::chrono::seconds(10)).second;
    };
    std::string status;
    REQUIRE(waitUntil(
        [&] {
            status = get("/status", "GET", true);
            return status.find("40 segments") != std::string::npos;
        },
        10s));
    CHECK(status.find("\"encoder\"") != std::string::npos);
    CHECK(status.find("1 source connected") != std::string::npos);
    CHECK(status.substr(status.size() - 3) == "200");
    CHECK(get("/status", "GET", false).substr(get("/status", "GET", false).size() - 3) == "401");

    CHECK(get("/notify", "POST", true).find("20") != std::string::npos);
    REQUIRE(f.waitForEvent("notes.jsonl", "status"));

    CHECK(stopsCleanly(daemon));
    const std::string log = readFile(f.dir().file("logs/watchdog.log"));
    CHECK(log.find("encoder: pass 1 source connected") != std::string::npos);
    CHECK(log.find("stopping on SIGTERM") != std::string::npos);
    CHECK(log.find("s3cret-token") == std::string::npos);
    CHECK(daemon.output().find("s3cret-token") == std::string::npos);
}
