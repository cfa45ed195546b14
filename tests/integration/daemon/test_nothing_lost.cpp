// Nothing lost across restarts, with the real binary (issue 15, part 3): a notification that could
// not be delivered before a stop (the endpoint was down, or the daemon stopped or was killed while
// delivering) is delivered after the next start, once, in order; an incident that recovered while
// the daemon was down is reported at start.
#include "DaemonFixture.h"

#include <doctest/doctest.h>

#include <csignal>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

// `notes` options after its file (a down_file, a delay).
std::string pipeline(const std::string& notesOptions, const std::string& wait = "1h") {
    return "checks:\n"
           "  encoder: { plugin: scripted, file: encoder.txt, interval: 50ms }\n"
           "actions:\n"
           "  notes: { plugin: recorder, file: notes.jsonl" +
           notesOptions +
           " }\n"
           "  backup: { plugin: recorder, role: remedy, file: backup.jsonl }\n"
           "rules:\n"
           "  failover: { when: \"any of [encoder]\", warn: notes, wait: " +
           wait +
           ", then: backup, recover: notes }\n"
           "  online: { on: startup, then: notes }\n"
           "sinks:\n"
           "  - plugin: sink_only\n";
}

int count(const std::vector<std::string>& types, const std::string& type) {
    return static_cast<int>(std::count(types.begin(), types.end(), type));
}

std::size_t outboxFiles(const DaemonFixture& f) {
    return static_cast<std::size_t>(
        std::stoul(runCommand({"sh", "-c", "find '" + f.dir().path() + "/state.outbox' -name '*.json' 2>/dev/null | wc -l"}, 5s).second));
}

}  // namespace

TEST_CASE("notifications the endpoint refused before SIGTERM are delivered after the restart, once, in order") {
    DaemonFixture f;
    f.dir().write("notes.down", "");
    const std::string file = f.writePipeline(pipeline(", down_file: notes.down"));
    f.script("encoder", "pass");
    {
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        REQUIRE(waitUntil([&] { return daemon.output().find("[startup]") != std::string::npos; }, 10s));
        f.script("encoder", "fail 0 sources");
        REQUIRE(waitUntil([&] { return daemon.output().find("[warning]") != std::string::npos; }, 10s));
        daemon.signal(SIGTERM);
        CHECK(daemon.wait(5s) == 0);
    }
    CHECK(readFile(f.dir().file("notes.jsonl")).empty());
    CHECK(outboxFiles(f) == 3);  // startup, warning, shutdown
    std::remove(f.dir().file("notes.down").c_str());
    {
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        REQUIRE(waitUntil([&] { return count(f.types("notes.jsonl"), "startup") == 2; }, 10s));
        CHECK(daemon.output().find("delivering 3 notifications to notes that the previous run could not deliver") != std::string::npos);
        const auto types = f.types("notes.jsonl");
        REQUIRE(types.size() >= 4);
        CHECK(std::vector<std::string>(types.begin(), types.begin() + 4) ==
              std::vector<std::string>{"startup", "warning", "shutdown", "startup"});
        REQUIRE(waitUntil([&] { return outboxFiles(f) == 0; }, 5s));
        daemon.signal(SIGTERM);
        CHECK(daemon.wait(5s) == 0);
    }
    {
        ChildProcess daemon(f.command("run", {file}));  // nothing is delivered a second time
        INFO(daemon.output());
        REQUIRE(waitUntil([&] { return count(f.types("notes.jsonl"), "startup") == 3; }, 10s));
        daemon.signal(SIGTERM);
        CHECK(daemon.wait(5s) == 0);
    }
    const auto types = f.types("notes.jsonl");
    CHECK(count(types, "warning") == 1);
    CHECK(count(types, "shutdown") == 3);
}

TEST_CASE("a notification being delivered when the daemon is killed (SIGKILL) is delivered after the restart, once") {
    DaemonFixture f;
    const std::string begun = f.dir().file("begun.txt");
    const std::string file = f.writePipeline(pipeline(", delay: 30s, begun_file: " + begun));
    f.script("encoder", "pass");
    {
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        REQUIRE(waitUntil([&] { return readFile(begun).find("startup") != std::string::npos; }, 10s));
        f.script("encoder", "fail 0 sources");
        // Killed once the incident is in the state file: its warning is the one being delivered.
        REQUIRE(waitUntil([&] { return readFile(f.dir().file("state.json")).find("\"phase\": \"pending\"") != std::string::npos; }, 10s));
        daemon.signal(SIGKILL);
        daemon.wait(5s);
    }
    CHECK(readFile(f.dir().file("notes.jsonl")).empty());
    f.writePipeline(pipeline(""));
    ChildProcess daemon(f.command("run", {file}));
    INFO(daemon.output());
    REQUIRE(waitUntil([&] { return count(f.types("notes.jsonl"), "startup") == 2; }, 10s));
    const auto types = f.types("notes.jsonl");
    CHECK(std::vector<std::string>(types.begin(), types.begin() + 3) == std::vector<std::string>{"startup", "warning", "startup"});
    CHECK(count(types, "warning") == 1);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(5s) == 0);
}

TEST_CASE("an incident that recovered while the daemon was down is reported at start as such") {
    DaemonFixture f;
    const std::string file = f.writePipeline(pipeline("", "0s"));
    f.script("encoder", "fail 0 sources");
    {
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        REQUIRE(f.waitForEvent("notes.jsonl", "outcome"));  // the backup ran
        daemon.signal(SIGTERM);
        CHECK(daemon.wait(5s) == 0);
    }
    f.script("encoder", "pass");
    ChildProcess daemon(f.command("run", {file}));
    INFO(daemon.output());
    REQUIRE(f.waitForEvent("notes.jsonl", "recovered"));
    const auto events = f.events("notes.jsonl");
    for (const auto& e : events)
        if (e.type == "recovered") CHECK(e.summary.find("recovered while the watchdog was down, at about ") != std::string::npos);
    CHECK(count(f.types("notes.jsonl"), "recovered") == 1);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(5s) == 0);
}
