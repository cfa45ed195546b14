// The real binary with the closed-loop keys: `limit` holds back the third failover in its window, also
// across a restart, shown in /status and /metrics; a check toggled between error and pass at every
// interval sends one flapping and one stable message where it would otherwise send dozens.
#include "DaemonFixture.h"
#include "DaemonPipeline.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <csignal>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

/// Fails both checks until `type` reaches the notes `n` times, then lets them pass until the recovery.
void incident(DaemonFixture& f, const std::string& type, int n) {
    f.script({{"encoder", "fail 0 sources"}, {"segments", "fail old"}});
    REQUIRE(waitUntil([&] { return f.count("notes.jsonl", type) == n; }, 10s));
    const int recovered = f.count("notes.jsonl", "recovered");
    f.script({{"encoder", "pass"}, {"segments", "pass"}});
    REQUIRE(waitUntil([&] { return f.count("notes.jsonl", "recovered") == recovered + 1; }, 10s));
}

/// The results of `kind` ("pass", "fail", "error") the check reported so far, from /status; -1 if unreadable.
long resultsOf(const std::string& url, const std::string& check, const std::string& kind) {
    const std::string body = runCommand({"curl", "-s", "--max-time", "5", url + "/status"}, 10s).second;
    try {
        Poco::JSON::Parser parser;
        auto checks = parser.parse(body).extract<Poco::JSON::Object::Ptr>()->getArray("checks");
        for (std::size_t i = 0; checks && i < checks->size(); ++i)
            if (checks->getObject(static_cast<unsigned>(i))->getValue<std::string>("id") == check)
                return checks->getObject(static_cast<unsigned>(i))->getObject("results")->getValue<long>(kind);
    } catch (const std::exception&) {
    }
    return -1;
}

}  // namespace

TEST_CASE("limit: two failovers in the window, the third is held back with one limited message; neither a reload nor a restart resets it") {
    DaemonFixture f;
    f.script({{"encoder", "pass"}, {"segments", "pass"}});
    const int port = freeLoopbackPort();
    const std::string file =
        f.writePipeline(DaemonPipeline::failover(port, ", limit: { count: 2, per: 1h }").sink("plugin: sink_only").text());
    {
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        incident(f, "outcome", 1);
        incident(f, "outcome", 2);
        daemon.signal(SIGHUP);
        REQUIRE(waitUntil([&] { return daemon.output().find("reloaded") != std::string::npos; }, 10s));
        incident(f, "limited", 1);
        const std::string status =
            runCommand({"curl", "-s", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port) + "/status"}, 10s).second;
        CHECK(status.find("\"limit\":{\"count\":2,\"per_seconds\":3600,\"runs\":2,\"reopens\":\"") != std::string::npos);
        const std::string metrics =
            runCommand({"curl", "-s", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port) + "/metrics"}, 10s).second;
        CHECK(metrics.find("\nwatchdog_rule_remedy_runs{rule=\"failover\"} 2\n") != std::string::npos);
        CHECK(metrics.find("\nwatchdog_rule_remedy_limit{rule=\"failover\"} 2\n") != std::string::npos);
        REQUIRE(stopsCleanly(daemon));
    }
    const std::string state = readFile(f.dir().file("state.json"));
    CHECK(state.find("\"runs_ms\"") != std::string::npos);
    {
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        incident(f, "limited", 2);
        REQUIRE(stopsCleanly(daemon));
    }
    CHECK(f.count("backup.jsonl", "failover") == 2);
    const auto notes = f.events("notes.jsonl");
    const auto limited = std::find_if(notes.begin(), notes.end(), [](const RecordedEvent& e) { return e.type == "limited"; });
    REQUIRE(limited != notes.end());
    CHECK(limited->summary.find("backup not run: the limit of 2 runs per 1 h is reached; it may run again at ") != std::string::npos);
    CHECK(f.count("notes.jsonl", "limited") == 2);
    CHECK(f.count("notes.jsonl", "warning") == 4);
}

TEST_CASE("flapping: a check toggled between error and pass at every interval sends one flapping and one stable message, not dozens") {
    DaemonFixture f;
    f.script("flappy", "pass");
    f.script("steady", "pass");
    const int port = freeLoopbackPort();
    // Without flap suppression every error would be a check_error message (throttle 1ms) and every
    // change of flappy a warning or a cancelled message of flappy_down.
    const std::string file =
        f.writePipeline("http: { listen: 127.0.0.1:" + std::to_string(port) +
                        " }\n"
                        "checks:\n"
                        "  flappy: { plugin: toggling, file: flappy.txt, interval: 30ms, flap: { changes: 4, within: 2s } }\n"
                        "  steady: { plugin: scripted, file: steady.txt, interval: 1s }\n"
                        "actions:\n"
                        "  notes: { plugin: recorder, file: notes.jsonl }\n"
                        "rules:\n"
                        "  errors: { on: check_error, then: notes, throttle: 1ms }\n"
                        "  flappy_down: { when: \"1 of [flappy]\", warn: notes, wait: 1h, recover: notes }\n"
                        "  failover: { when: \"2 of [flappy, steady]\", warn: notes, wait: 1h, recover: notes }\n"
                        "sinks:\n"
                        "  - plugin: sink_only\n");
    ChildProcess daemon(f.command("run", {file}));
    INFO(daemon.output());
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    REQUIRE(waitUntil([&] { return resultsOf(url, "flappy", "pass") > 0; }, 10s));
    f.script("flappy", "toggle_error");
    REQUIRE(f.waitForEvent("notes.jsonl", "flapping"));
    const std::string status = runCommand({"curl", "-s", "--max-time", "5", url + "/status"}, 10s).second;
    CHECK(status.find("\"flapping\":true") != std::string::npos);
    const std::string metrics = runCommand({"curl", "-s", "--max-time", "5", url + "/metrics"}, 10s).second;
    CHECK(metrics.find("watchdog_check_flapping{check=\"flappy\"} 1\n") != std::string::npos);
    CHECK(metrics.find("watchdog_check_flapping{check=\"steady\"} 0\n") != std::string::npos);
    // Dozens of changes while it flaps: each error would have been a message.
    REQUIRE(waitUntil([&] { return resultsOf(url, "flappy", "error") >= 24; }, 10s));
    f.script("flappy", "pass");
    REQUIRE(f.waitForEvent("notes.jsonl", "stable"));
    REQUIRE(stopsCleanly(daemon));

    const auto notes = f.events("notes.jsonl");
    std::string types;
    for (const auto& e : notes) types += e.type + " ";
    INFO("notes: " << types);
    CHECK(f.count("notes.jsonl", "flapping") == 1);
    CHECK(f.count("notes.jsonl", "stable") == 1);
    const auto flapping = std::find_if(notes.begin(), notes.end(), [](const RecordedEvent& e) { return e.type == "flapping"; });
    const auto stable = std::find_if(notes.begin(), notes.end(), [](const RecordedEvent& e) { return e.type == "stable"; });
    REQUIRE(flapping < stable);
    CHECK(stable - flapping == 1);  // nothing per change between them
    // Before it was seen to flap: its first two errors and the countdowns they started, no more.
    CHECK(f.count("notes.jsonl", "check_error") == 2);
    CHECK(f.count("notes.jsonl", "warning") == 2);
    CHECK(notes.size() <= 10);
    CHECK(flapping->summary.find("flappy is flapping (4 state changes within 2 s): no message per change until it is stable; it counts "
                                 "as failing for flappy_down, failover") == 0);
    CHECK(stable->summary.find("flappy is stable again (") == 0);
}
