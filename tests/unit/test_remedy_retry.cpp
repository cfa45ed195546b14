// A remedy that never reported an outcome (the daemon stopped or died while it ran) runs again,
// once, when its incident resumes after a restart; the state file keeps where each remedy is.
#include "TestSupport.h"
#include "engine/CheckTracker.h"
#include "engine/RuleEngine.h"
#include "engine/StateFile.h"

#include "ManualClock.h"

#include <doctest/doctest.h>

using namespace watchdog;
using watchdog::test::ManualClock;
using namespace std::chrono_literals;

namespace {

RuleSpec failover() {
    RuleSpec r;
    r.id = "failover";
    r.checks = {"icecast", "cpu"};
    r.threshold = 2;
    r.warn.ids = {"discord"};
    r.wait = 5min;
    r.then.ids = {"backup", "discord"};  // a notifier in then: is not a remedy and is never retried
    r.recover.ids = {"discord"};
    return r;
}

/// A rule engine resumed from `saved` after a restart, and its checks.
struct Resumed {
    ManualClock clock;
    CheckTracker tracker{{{"icecast", "Icecast Sources", 1, 1}, {"cpu", "Encoder CPU", 1, 1}}};
    RuleEngine rules{{failover()}, {"discord"}, clock, "test"};

    explicit Resumed(const RuleState& saved) { rules.restore({{"failover", saved}}); }

    /// Both checks report `result` once; the events they caused.
    std::vector<RoutedEvent> bothReport(const Result& result) {
        std::vector<RoutedEvent> out;
        for (const char* id : {"icecast", "cpu"}) {
            tracker.apply(id, result, clock.t);
            for (auto& e : rules.onResult(id, result, tracker.snapshot())) out.push_back(e);
        }
        return out;
    }
    std::string backup() const { return toString(rules.states().at("failover").remedies.at("backup")); }
};

RuleState fired(RemedyProgress backup) {
    RuleState s;
    s.phase = RulePhase::Fired;
    s.incident = "failover-1";
    s.remedies["backup"] = backup;
    return s;
}

}  // namespace

TEST_CASE("firing marks each remedy started; its outcome marks it reported, unless the shutdown interrupted it") {
    ManualClock clock;
    RuleEngine rules({failover()}, {"discord"}, clock, "test");
    CheckTracker tracker({{"icecast", "I", 1, 1}, {"cpu", "C", 1, 1}});
    std::vector<RoutedEvent> events;
    for (const char* id : {"icecast", "cpu"}) {
        tracker.apply(id, Result::fail("x"), clock.t);
        events = rules.onResult(id, Result::fail("x"), tracker.snapshot());
    }
    clock.t += 5min;
    events = rules.tick(tracker.snapshot());
    REQUIRE(events.size() == 1);
    const Event failoverEvent = events[0].event;
    auto remedies = rules.states().at("failover").remedies;
    CHECK(remedies.size() == 1);
    CHECK(toString(remedies.at("backup")) == std::string("started"));

    rules.outcome(failoverEvent, "backup", false, "gave up: the watchdog is stopping", {}, 300ms, tracker.snapshot(), true);
    CHECK(toString(rules.states().at("failover").remedies.at("backup")) == std::string("started"));
    auto reported = rules.outcome(failoverEvent, "backup", true, "started i-1", {}, 2s, tracker.snapshot());
    CHECK(reported.actions == std::vector<std::string>{"discord"});
    CHECK(toString(rules.states().at("failover").remedies.at("backup")) == std::string("reported"));
}

TEST_CASE("after a restart, a remedy without an outcome runs again once the checks confirm the failure") {
    Resumed r(fired(RemedyProgress::Started));
    CHECK(r.rules.tick(r.tracker.snapshot()).empty());  // nothing before fresh results
    auto events = r.bothReport(Result::fail("still down"));
    REQUIRE(events.size() == 1);
    CHECK(toString(events[0].event.type) == std::string("failover"));
    CHECK(events[0].actions == std::vector<std::string>{"backup"});
    CHECK(events[0].event.incident == "failover-1");
    CHECK(events[0].event.summary ==
          "Still failing after a restart: Icecast Sources, Encoder CPU; backup had not reported an outcome, running it again (once)");
    CHECK(r.backup() == std::string("retried"));
    CHECK(r.bothReport(Result::fail("still down")).empty());  // once

    r.rules.outcome(events[0].event, "backup", true, "started i-1", {}, 1s, r.tracker.snapshot());
    CHECK(r.backup() == std::string("reported"));
}

TEST_CASE("a remedy already retried, or one that reported, is not run again after a restart") {
    for (auto progress : {RemedyProgress::Retried, RemedyProgress::Reported}) {
        Resumed r(fired(progress));
        CHECK(r.bothReport(Result::fail("still down")).empty());
        CHECK(r.backup() == toString(progress));
    }
}

TEST_CASE("a resumed incident whose checks recovered meanwhile is over: no retry, a recovered event") {
    Resumed r(fired(RemedyProgress::Started));
    auto events = r.bothReport(Result::pass("back"));
    REQUIRE(events.size() == 1);
    CHECK(toString(events[0].event.type) == std::string("recovered"));
}

TEST_CASE("the state file keeps each remedy's progress; a file from before has none") {
    test::TempDir dir;
    StateFile file(dir.file("state.json"));
    SavedState s;
    s.pipeline = "test";
    s.rules["failover"] = fired(RemedyProgress::Started);
    s.rules["failover"].remedies["restart_encoder"] = RemedyProgress::Reported;
    file.save(s);
    CHECK(test::readFile(file.path()).find("\"remedies\"") != std::string::npos);
    std::string warning;
    auto loaded = file.load("test", warning);
    CHECK(warning.empty());
    CHECK((loaded.rules.at("failover").remedies == s.rules.at("failover").remedies));

    dir.write("old.json", R"({"version":1,"pipeline":"test","sequence":7,"rules":{"failover":{"phase":"fired","incident":"f-1",)"
                          R"("opened_ms":0,"deadline_ms":0}},"checks":{}})");
    auto old = StateFile(dir.file("old.json")).load("test", warning);
    CHECK(toString(old.rules.at("failover").phase) == std::string("fired"));
    CHECK(old.rules.at("failover").remedies.empty());
}
