// The real binary flooded with status requests (SIGUSR1 and POST /notify): one report per
// status_min_interval reaches the notifiers; the rest are answered 429 and logged once.
#include "DaemonFixture.h"

#include <doctest/doctest.h>

#include <csignal>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

std::string pipeline(const std::string& minInterval, int port) {
    return (minInterval.empty() ? "" : "  status_min_interval: " + minInterval + "\n") +
           "http: { listen: 127.0.0.1:" + std::to_string(port) +
           " }\n"
           "checks:\n"
           "  encoder: { plugin: scripted, file: encoder.txt, interval: 50ms }\n"
           "actions:\n"
           "  notes: { plugin: recorder, file: notes.jsonl }\n"
           "rules:\n"
           "  online: { on: startup, then: notes }\n"
           "sinks:\n"
           "  - plugin: sink_only\n";
}

/// curl's POST /notify: the status code line, then the headers and body.
std::string notify(int port) {
    return runCommand({"curl", "-s", "-i", "-X", "POST", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port) + "/notify"}, 10s)
        .second;
}

int occurrences(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

int count(const std::vector<std::string>& types, const std::string& type) {
    return static_cast<int>(std::count(types.begin(), types.end(), type));
}

}  // namespace

TEST_CASE("20 SIGUSR1 and 20 POST /notify inside status_min_interval send one status report; the rest get 429, logged once") {
    DaemonFixture f;
    const int port = freeLoopbackPort();
    const std::string file = f.writePipeline(pipeline("1h", port));
    f.script("encoder", "pass");
    ChildProcess daemon(f.command("run", {file}));
    INFO(daemon.output());
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));

    daemon.signal(SIGUSR1);
    REQUIRE(f.waitForEvent("notes.jsonl", "status"));
    for (int i = 0; i < 20; ++i) daemon.signal(SIGUSR1);
    std::string refused;
    for (int i = 0; i < 20; ++i) {
        refused = notify(port);
        CHECK(refused.rfind("HTTP/1.1 429", 0) == 0);
    }
    CHECK(refused.find("Retry-After: ") != std::string::npos);
    CHECK(refused.find("\"next_report_at\"") != std::string::npos);
    REQUIRE(waitUntil([&] { return daemon.output().find("status report not sent") != std::string::npos; }, 10s));

    daemon.signal(SIGTERM);
    CHECK(daemon.wait(5s) == 0);
    CHECK(count(f.types("notes.jsonl"), "status") == 1);
    CHECK(occurrences(daemon.output(), "status report not sent") == 1);
    CHECK(daemon.output().find("status_min_interval (1h)") != std::string::npos);
}

TEST_CASE("status_min_interval defaults to 1 minute; 0s lets every request through") {
    const int port = freeLoopbackPort();
    {
        DaemonFixture f;
        const std::string file = f.writePipeline(pipeline("", port));
        f.script("encoder", "pass");
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        REQUIRE(f.waitForEvent("notes.jsonl", "startup"));
        CHECK(notify(port).rfind("HTTP/1.1 202", 0) == 0);
        CHECK(notify(port).rfind("HTTP/1.1 429", 0) == 0);
        REQUIRE(f.waitForEvent("notes.jsonl", "status"));
        daemon.signal(SIGTERM);
        CHECK(daemon.wait(5s) == 0);
        CHECK(daemon.output().find("status_min_interval (1m)") != std::string::npos);
        CHECK(count(f.types("notes.jsonl"), "status") == 1);
    }
    {
        DaemonFixture f;
        const std::string file = f.writePipeline(pipeline("0s", port));
        f.script("encoder", "pass");
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        REQUIRE(f.waitForEvent("notes.jsonl", "startup"));
        CHECK(notify(port).rfind("HTTP/1.1 202", 0) == 0);
        REQUIRE(waitUntil([&] { return count(f.types("notes.jsonl"), "status") == 1; }, 10s));
        CHECK(notify(port).rfind("HTTP/1.1 202", 0) == 0);
        REQUIRE(waitUntil([&] { return count(f.types("notes.jsonl"), "status") == 2; }, 10s));
        daemon.signal(SIGTERM);
        CHECK(daemon.wait(5s) == 0);
    }
}
