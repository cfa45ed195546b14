// The real binary stopped while the remedy runs (a `systemctl restart` during a failover): the
// remedy had not reported an outcome, so after the restart it runs again, once, and never a third time.
#include "DaemonFixture.h"

#include <doctest/doctest.h>

#include <csignal>
#include <sstream>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

/// Both checks failing, a 100 ms countdown and a backup remedy that takes `delay` (a daemon stopping
/// meanwhile interrupts it) and notes in backup-begun.txt each time it begins.
std::string pipeline(const std::string& delay) {
    return "checks:\n"
           "  encoder: { plugin: scripted, file: encoder.txt, interval: 50ms }\n"
           "  segments: { plugin: scripted, file: segments.txt, interval: 50ms }\n"
           "actions:\n"
           "  notes: { plugin: recorder, file: notes.jsonl }\n"
           "  backup: { plugin: recorder, file: backup.jsonl, role: remedy, begun_file: backup-begun.txt, delay: " +
           delay +
           " }\n"
           "rules:\n"
           "  failover: { when: \"2 of [encoder, segments]\", warn: notes, wait: 100ms, then: backup, recover: notes }\n"
           "sinks:\n"
           "  - plugin: sink_only\n";
}

int lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("SIGTERM while the remedy runs: after the restart it runs again, once, for the same incident") {
    DaemonFixture f;
    f.script("encoder", "fail 0 sources");
    f.script("segments", "fail newest segment 20 s old");
    const std::string begun = f.dir().file("backup-begun.txt");
    const std::string file = f.writePipeline(pipeline("1h"));
    {
        ChildProcess first(f.command("run", {file}));
        INFO(first.output());
        REQUIRE(waitUntil([&] { return lines(readFile(begun)) == 1; }, 10s));
        first.signal(SIGTERM);
        REQUIRE(first.wait(5s) == 0);
        CHECK(first.output().find("remedy backup was interrupted by the shutdown") != std::string::npos);
        CHECK(f.types("backup.jsonl").empty());  // it never finished
    }
    f.writePipeline(pipeline("0ms"));  // the backup start goes through this time
    {
        ChildProcess second(f.command("run", {file}));
        INFO(second.output());
        REQUIRE(f.waitForEvent("backup.jsonl", "failover"));
        REQUIRE(f.waitForEvent("notes.jsonl", "outcome"));
        CHECK(second.output().find("remedy backup was started before the restart and reported no outcome; it runs again, once") !=
              std::string::npos);
        second.signal(SIGTERM);
        REQUIRE(second.wait(5s) == 0);
    }
    {
        ChildProcess third(f.command("run", {file}));
        INFO(third.output());
        REQUIRE(waitUntil([&] { return third.output().find("resuming rule failover (fired") != std::string::npos; }, 10s));
        waitUntil([] { return false; }, 300ms);  // several check intervals: fresh results, no retry
        third.signal(SIGTERM);
        REQUIRE(third.wait(5s) == 0);
    }
    const auto notes = f.events("notes.jsonl");
    const auto backup = f.events("backup.jsonl");
    REQUIRE(backup.size() == 1);
    CHECK(backup[0].summary.find("backup had not reported an outcome, running it again (once)") != std::string::npos);
    CHECK(lines(readFile(begun)) == 2);
    REQUIRE_FALSE(notes.empty());
    CHECK(notes[0].type == "warning");
    CHECK(backup[0].incident == notes[0].incident);
    CHECK(std::count_if(notes.begin(), notes.end(), [](const RecordedEvent& e) { return e.type == "warning"; }) == 1);
}

TEST_CASE("a remedy interrupted again on its retry is not run a third time, and the log says so") {
    DaemonFixture f;
    f.script("encoder", "fail 0 sources");
    f.script("segments", "fail old");
    const std::string begun = f.dir().file("backup-begun.txt");
    const std::string file = f.writePipeline(pipeline("1h"));
    for (int run = 1; run <= 2; ++run) {
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        REQUIRE(waitUntil([&] { return lines(readFile(begun)) == run; }, 10s));
        daemon.signal(SIGTERM);
        REQUIRE(daemon.wait(5s) == 0);
    }
    ChildProcess third(f.command("run", {file}));
    INFO(third.output());
    REQUIRE(waitUntil(
        [&] {
            return third.output().find(
                       "remedy backup was already run again after a restart and still reported no outcome; "
                       "it is not run a third time") != std::string::npos;
        },
        10s));
    waitUntil([] { return false; }, 300ms);
    third.signal(SIGTERM);
    REQUIRE(third.wait(5s) == 0);
    CHECK(lines(readFile(begun)) == 2);
    CHECK(f.types("backup.jsonl").empty());
}
