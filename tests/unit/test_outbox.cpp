// The outbox keeps each notification until it is delivered, across restarts (issue 15, part 3).
#include "engine/Outbox.h"

#include "TestSupport.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace watchdog;
using namespace watchdog::test;

namespace {

Event event(EventType type, int n) {
    Event e;
    e.type = type;
    e.time = fromEpochMs(1795921200000 + n * 1000);
    e.pipeline = "station-eu";
    e.rule = "failover";
    e.incident = "failover-1";
    e.summary = "event " + std::to_string(n);
    e.failing = {"icecast"};
    CheckSnapshot c;
    c.id = "icecast";
    c.label = "Icecast Sources";
    c.health = Health::Failing;
    c.hasResult = true;
    c.last = Result::fail("0 sources");
    e.checks.push_back(c);
    return e;
}

// What the engine does once its lock is released.
void writeChanges(Outbox& outbox) {
    if (auto snapshot = outbox.changes()) outbox.write(*snapshot);
}

std::size_t filesIn(const std::string& folder) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(folder), std::filesystem::directory_iterator()));
}

}  // namespace

TEST_CASE("what was not delivered comes back after a restart, in order, with the checks' snapshot; delivered events do not") {
    TempDir dir;
    {
        Outbox outbox(dir.path() + "/outbox");
        outbox.keep("discord", 7, event(EventType::Warning, 1));
        outbox.keep("discord", 9, event(EventType::Failover, 2));
        outbox.keep("discord", 12, event(EventType::Outcome, 3));
        outbox.keep("pager", 8, event(EventType::Warning, 1));
        outbox.delivered("discord", event(EventType::Failover, 2));
        outbox.delivered("pager", event(EventType::Warning, 1));
        CHECK(outbox.size("discord") == 2);
        writeChanges(outbox);
    }
    Outbox again(dir.path() + "/outbox");
    std::vector<std::string> warnings;
    auto left = again.leftovers(warnings);
    CHECK(warnings.empty());
    REQUIRE(left["discord"].size() == 2);
    CHECK(left.count("pager") == 0);
    const Event& first = left["discord"][0];
    CHECK(first.summary == "event 1");
    CHECK(left["discord"][1].summary == "event 3");
    CHECK(first.time == event(EventType::Warning, 1).time);
    CHECK(first.failing == std::vector<std::string>{"icecast"});
    REQUIRE(first.checks.size() == 1);
    CHECK(first.checks[0].label == "Icecast Sources");
    CHECK(toString(first.checks[0].health) == std::string("failing"));
    CHECK(first.checks[0].last.summary == "0 sources");
    again.delivered("discord", first);
    again.delivered("discord", left["discord"][1]);
    writeChanges(again);
    Outbox third(dir.path() + "/outbox");
    CHECK(third.leftovers(warnings).empty());
}

TEST_CASE("a notifier that never delivers keeps the newest 1000; an unreadable file is named and dropped") {
    TempDir dir;
    Outbox outbox(dir.path() + "/outbox");
    std::optional<Event> dropped;
    for (int i = 0; i <= static_cast<int>(Outbox::kMaxKept); ++i)
        dropped = outbox.keep("discord", static_cast<std::uint64_t>(i), event(EventType::Status, i));
    writeChanges(outbox);
    REQUIRE(dropped);
    CHECK(dropped->summary == "event 0");
    CHECK(outbox.size("discord") == Outbox::kMaxKept);
    dir.write("outbox/discord/99999999999999999999.json", "{not json");
    std::vector<std::string> warnings;
    auto left = Outbox(dir.path() + "/outbox").leftovers(warnings);
    CHECK(left["discord"].size() == Outbox::kMaxKept);
    CHECK(left["discord"].front().summary == "event 1");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("99999999999999999999.json is unreadable") != std::string::npos);
}

TEST_CASE("the files are written after the lock: a snapshot older than the one on disk is dropped, so no delivered event comes back") {
    TempDir dir;
    Outbox outbox(dir.path() + "/outbox");
    outbox.keep("discord", 7, event(EventType::Warning, 1));
    const auto kept = outbox.changes();
    outbox.delivered("discord", event(EventType::Warning, 1));
    outbox.keep("discord", 8, event(EventType::Failover, 2));
    const auto newer = outbox.changes();
    REQUIRE(kept);
    REQUIRE(newer);
    CHECK_FALSE(outbox.changes());
    outbox.write(*newer);
    outbox.write(*kept);
    outbox.waitWritten();
    CHECK(filesIn(dir.file("outbox/discord")) == 1);
    std::vector<std::string> warnings;
    auto left = Outbox(dir.path() + "/outbox").leftovers(warnings);
    REQUIRE(left["discord"].size() == 1);
    CHECK(left["discord"][0].summary == "event 2");
}

TEST_CASE("a write that fails names the file and why; the next snapshot writes what is still undelivered") {
    TempDir dir;
    Outbox outbox(dir.path() + "/outbox");
    std::ofstream(dir.file("outbox")) << "a file where the folder goes\n";
    outbox.keep("discord", 7, event(EventType::Warning, 1));
    std::string error;
    try {
        writeChanges(outbox);
    } catch (const std::exception& e) {
        error = e.what();
    }
    CHECK(error.find("cannot create " + dir.file("outbox/discord")) != std::string::npos);
    outbox.waitWritten();
    std::filesystem::remove(dir.file("outbox"));
    writeChanges(outbox);
    std::vector<std::string> warnings;
    CHECK(Outbox(dir.path() + "/outbox").leftovers(warnings)["discord"].size() == 1);
}
