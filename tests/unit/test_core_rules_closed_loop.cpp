// Closing the loop, with a hand-driven clock: the remedy limit, flapping checks, verifying the
// takeover and failing back. Every transition of the incident's life beyond idle -> pending -> fired.
#include "engine/CheckTracker.h"
#include "engine/RuleEngine.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace watchdog;
using namespace std::chrono_literals;

namespace {

struct ManualClock : Clock {
    TimePoint t = fromEpochMs(1'800'000'000'000);
    TimePoint now() const override { return t; }
};

RuleSpec failover(std::chrono::milliseconds wait) {
    RuleSpec r;
    r.id = "failover";
    r.checks = {"icecast", "cpu"};
    r.threshold = 2;
    r.warn.ids = {"discord"};
    r.wait = wait;
    r.then.ids = {"backup"};
    r.recover.ids = {"discord"};
    return r;
}

RuleSpec limited(int count, std::chrono::milliseconds per) {
    RuleSpec r = failover(1min);
    r.limitCount = count;
    r.limitPer = per;
    return r;
}

std::vector<CheckSettings> checkSettings() {
    return {{"icecast", "Icecast Sources", 1, 1}, {"cpu", "Encoder CPU", 1, 1}, {"backup_stream", "Backup stream", 1, 1}};
}

/// A tracker and a rule engine over two primary checks and one check of the backup's stream.
struct Station {
    ManualClock clock;
    CheckTracker tracker{checkSettings()};
    RuleEngine rules;

    explicit Station(std::vector<RuleSpec> specs, std::vector<std::string> notifiers = {"discord"})
        : rules(std::move(specs), std::move(notifiers), clock, "test") {}

    std::vector<RoutedEvent> report(const std::string& id, const Result& r) {
        tracker.apply(id, r, clock.now());
        return rules.onResult(id, r, tracker.snapshot());
    }
    std::vector<RoutedEvent> both(const Result& r) {
        auto out = report("icecast", r);
        for (auto& e : report("cpu", r)) out.push_back(e);
        return out;
    }
    std::vector<RoutedEvent> tick() { return rules.tick(tracker.snapshot()); }
    RuleState state() const { return rules.states().at("failover"); }
    std::string phase() const { return toString(state().phase); }
};

std::vector<std::string> types(const std::vector<RoutedEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(toString(e.event.type));
    return out;
}

using Types = std::vector<std::string>;

/// One whole incident: both checks fail, the wait runs out, and (when fired) the remedy reports.
/// Returns the events of the wait running out.
std::vector<RoutedEvent> failAndWait(Station& s) {
    REQUIRE(types(s.both(Result::fail("down"))) == Types{"warning"});
    s.clock.t += 1min;
    auto out = s.tick();
    for (const auto& e : out)
        if (e.event.type == EventType::Failover) s.rules.outcome(e.event, "backup", true, "started", {}, 1s, s.tracker.snapshot());
    return out;
}

}  // namespace

TEST_CASE("limit: the third failover in the window is held back, said once, with when the window reopens") {
    Station s({limited(2, 24h)});
    s.both(Result::pass("ok"));
    const TimePoint first = s.clock.t + 1min;
    CHECK(types(failAndWait(s)) == Types{"failover"});
    CHECK(types(s.both(Result::pass("ok"))) == Types{"recovered"});
    s.clock.t += 1h;
    CHECK(types(failAndWait(s)) == Types{"failover"});
    CHECK(types(s.both(Result::pass("ok"))) == Types{"recovered"});
    s.clock.t += 1h;

    auto held = failAndWait(s);
    REQUIRE(types(held) == Types{"limited"});
    CHECK(held[0].actions == std::vector<std::string>{"discord"});  // to the notifiers, never to the remedy
    CHECK(*held[0].event.deadline == first + 24h);
    CHECK(held[0].event.failing == std::vector<std::string>{"icecast", "cpu"});
    CHECK(held[0].event.summary.find("backup not run: the limit of 2 runs per 1 d is reached") != std::string::npos);
    CHECK(s.phase() == "limited");
    CHECK(*s.rules.nextWakeup() == first + 24h);

    // Still failing: nothing more is said until the window reopens.
    s.clock.t += 1h;
    CHECK(s.both(Result::fail("down")).empty());
    CHECK(s.tick().empty());
    const LimitStanding standing = limitStanding(limited(2, 24h), s.state(), s.clock.t);
    CHECK(standing.runs == 2);
    CHECK(*standing.reopens == first + 24h);
}

TEST_CASE("limit: a held-back incident that recovers closes without a remedy; one still failing runs it when the window reopens") {
    Station s({limited(1, 2h)});
    s.both(Result::pass("ok"));
    const TimePoint first = s.clock.t + 1min;
    REQUIRE(types(failAndWait(s)) == Types{"failover"});
    s.both(Result::pass("ok"));

    REQUIRE(types(failAndWait(s)) == Types{"limited"});
    auto recovered = s.both(Result::pass("ok"));
    REQUIRE(types(recovered) == Types{"recovered"});
    CHECK(recovered[0].event.summary.find("without a remedy") != std::string::npos);
    CHECK(s.phase() == "idle");
    CHECK(s.state().runs.size() == 1);  // the window still counts the first run

    REQUIRE(types(failAndWait(s)) == Types{"limited"});
    s.clock.t = first + 2h - 1ms;
    CHECK(s.tick().empty());
    s.clock.t = first + 2h;
    auto reopened = s.tick();
    REQUIRE(types(reopened) == Types{"failover"});
    CHECK(reopened[0].actions == std::vector<std::string>{"backup"});
    CHECK(reopened[0].event.summary.find("Still failing when the limit's window reopened") == 0);
    CHECK(s.phase() == "fired");
    CHECK(s.state().runs.size() == 1);  // the first run left the window; this one is counted
}

TEST_CASE("limit: the runs survive a restart (restore) even when the rule is idle, and runs out of the window are dropped") {
    ManualClock clock;
    RuleState saved;
    saved.runs = {clock.t - 25h, clock.t - 3h, clock.t - 2h};
    RuleEngine rules({limited(2, 24h)}, {"discord"}, clock, "test");
    rules.restore({{"failover", saved}});
    CHECK(toString(rules.states().at("failover").phase) == std::string("idle"));
    CheckTracker tracker(checkSettings());
    for (const char* id : {"icecast", "cpu"}) {
        tracker.apply(id, Result::fail("down"), clock.t);
        rules.onResult(id, Result::fail("down"), tracker.snapshot());
    }
    clock.t += 1min;
    auto held = rules.tick(tracker.snapshot());
    REQUIRE(types(held) == Types{"limited"});
    CHECK(*held[0].event.deadline == clock.t - 1min - 3h + 24h);
    for (const char* id : {"icecast", "cpu"}) {
        tracker.apply(id, Result::pass("ok"), clock.t);
        rules.onResult(id, Result::pass("ok"), tracker.snapshot());
    }
    CHECK(rules.states().at("failover").runs.size() == 2);  // the run 25 h ago no longer counts
}

TEST_CASE("without limit the runs are not recorded, so the seed's state file is unchanged") {
    Station s({failover(1min)});
    s.both(Result::pass("ok"));
    CHECK(types(failAndWait(s)) == Types{"failover"});
    CHECK(s.state().runs.empty());
    s.both(Result::pass("ok"));
    CHECK(types(failAndWait(s)) == Types{"failover"});
}

namespace {

std::vector<CheckSettings> flappySettings() {
    auto settings = checkSettings();
    settings[0].flapChanges = 4;
    settings[0].flapWithin = 1min;
    return settings;
}

RuleSpec anyOf(std::vector<std::string> checks) {
    RuleSpec r = failover(5min);
    r.checks = std::move(checks);
    r.threshold = 1;
    return r;
}

}  // namespace

TEST_CASE("flap detection: flapChanges changes within the window make a check flapping, fewer than half of them stable") {
    CheckTracker t(flappySettings());
    TimePoint now = fromEpochMs(0);
    t.apply("icecast", Result::pass("ok"), now);  // from unknown: not a change
    for (int i = 1; i <= 3; ++i) {
        now += 10s;
        t.apply("icecast", i % 2 ? Result::fail("0 sources") : Result::pass("ok"), now);
        CHECK_FALSE(t.find("icecast")->flapping);
    }
    now += 10s;
    t.apply("icecast", Result::pass("ok"), now);
    CHECK(t.find("icecast")->flapping);
    CHECK(t.find("icecast")->recentChanges == 4);
    // Steady from now on: the changes leave the window one by one; at 2 (half of 4) it still flaps.
    now += 45s;
    t.apply("icecast", Result::pass("ok"), now);
    CHECK(t.find("icecast")->recentChanges == 2);
    CHECK(t.find("icecast")->flapping);
    now += 10s;
    t.apply("icecast", Result::pass("ok"), now);
    CHECK(t.find("icecast")->recentChanges == 1);
    CHECK_FALSE(t.find("icecast")->flapping);
    // Without flap: nothing is counted.
    CHECK(t.find("cpu")->recentChanges == 0);
}

TEST_CASE("flapping: one flapping event, no message per change while it flaps, one stable; it counts as failing meanwhile") {
    ManualClock clock;
    CheckTracker tracker(flappySettings());
    RuleEngine rules({anyOf({"icecast"})}, {"discord", "pager"}, clock, "test", {{"icecast", 1min}});
    std::vector<std::string> seen;
    std::vector<RoutedEvent> all;
    auto report = [&](const Result& r) {
        tracker.apply("icecast", r, clock.t);
        for (auto& e : rules.onResult("icecast", r, tracker.snapshot())) {
            seen.push_back(toString(e.event.type));
            all.push_back(e);
        }
    };
    rules.start(tracker.snapshot(), false);
    report(Result::pass("ok"));
    for (int i = 1; i <= 80; ++i) {  // toggled every 5 s for over 6 minutes
        clock.t += 5s;
        report(i % 2 ? Result::fail("0 sources") : Result::pass("ok"));
        for (auto& e : rules.tick(tracker.snapshot())) seen.push_back(toString(e.event.type));
    }
    // Before the fourth change it was not flapping yet: warning, cancelled, warning. Then it flaps
    // and counts as failing: the countdown runs on, and the failover fires at its deadline.
    CHECK(seen == Types{"warning", "cancelled", "warning", "flapping", "failover"});
    const auto flap = std::find_if(all.begin(), all.end(), [](const RoutedEvent& e) { return e.event.type == EventType::Flapping; });
    REQUIRE(flap != all.end());
    CHECK(flap->event.checkId == "icecast");
    CHECK(flap->actions == std::vector<std::string>{"discord"});  // the rule's notifiers, not every notifier
    CHECK(flap->event.summary == "Icecast Sources is flapping (4 state changes within 1 min): no message per change until it is "
                                 "stable; it counts as failing for failover");
    seen.clear();
    for (int i = 0; i < 20; ++i) {  // steady and passing
        clock.t += 5s;
        report(Result::pass("ok"));
    }
    CHECK(seen == Types{"stable", "recovered"});
}

TEST_CASE("flapping: `flapping: ignore` leaves a flapping check out, and check errors are not sent while it flaps") {
    ManualClock clock;
    CheckTracker tracker(flappySettings());
    RuleSpec rule = anyOf({"icecast"});
    rule.ignoreFlapping = true;
    RuleSpec errors;
    errors.id = "errors";
    errors.trigger = RuleSpec::Trigger::CheckError;
    errors.throttle = 0ms;
    errors.then.ids = {"discord"};
    RuleEngine rules({rule, errors}, {"discord"}, clock, "test", {{"icecast", 1min}});
    Types seen;
    auto report = [&](const Result& r) {
        tracker.apply("icecast", r, clock.t);
        for (auto& e : rules.onResult("icecast", r, tracker.snapshot())) seen.push_back(toString(e.event.type));
    };
    report(Result::pass("ok"));
    for (int i = 1; i <= 20; ++i) {
        clock.t += 5s;
        report(i % 2 ? Result::error("refused") : Result::pass("ok"));
    }
    // The fourth change makes it flap: the rule leaves it out (cancelled), and errors go quiet.
    CHECK(seen == Types{"warning", "check_error", "cancelled", "warning", "check_error", "flapping", "cancelled"});
}

TEST_CASE("flapping: a check restored as flapping is not announced again after a restart") {
    ManualClock clock;
    CheckTracker tracker(flappySettings());
    tracker.restore("icecast", Health::Passing, 1, clock.t);
    tracker.restoreFlapping("icecast", true, {clock.t - 30s, clock.t - 20s, clock.t - 10s, clock.t - 5s});
    RuleEngine rules({anyOf({"icecast"})}, {"discord"}, clock, "test", {{"icecast", 1min}});
    rules.start(tracker.snapshot(), false);
    clock.t += 1s;
    tracker.apply("icecast", Result::fail("0 sources"), clock.t);
    CHECK(types(rules.onResult("icecast", Result::fail("0 sources"), tracker.snapshot())) == Types{"warning"});
}
