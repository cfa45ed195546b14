// Closing the loop, with a hand-driven clock: the remedy limit, flapping checks, verifying the
// takeover and failing back. Every transition of the incident's life beyond idle -> pending -> fired.
#include "RuleStation.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

RuleSpec failover(std::chrono::milliseconds wait) { return failoverRule({"icecast", "cpu"}, 2, wait); }

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
struct Station : RuleStation {
    explicit Station(std::vector<RuleSpec> specs, std::vector<std::string> notifiers = {"discord"})
        : RuleStation(checkSettings(), std::move(specs), std::move(notifiers)) {}

    std::vector<RoutedEvent> both(const Result& r) {
        auto out = report("icecast", r);
        for (auto& e : report("cpu", r)) out.push_back(e);
        return out;
    }
    RuleState state() const { return rules.states().at("failover"); }
    std::string phase() const { return toString(state().phase); }
};

using Types = std::vector<std::string>;

/// One whole incident: both checks fail, the wait runs out, and (when fired) the remedy reports.
/// Returns the events of the wait running out.
std::vector<RoutedEvent> failAndWait(Station& s) {
    REQUIRE(eventTypes(s.both(Result::fail("down"))) == Types{"warning"});
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
    CHECK(eventTypes(failAndWait(s)) == Types{"failover"});
    CHECK(eventTypes(s.both(Result::pass("ok"))) == Types{"recovered"});
    s.clock.t += 1h;
    CHECK(eventTypes(failAndWait(s)) == Types{"failover"});
    CHECK(eventTypes(s.both(Result::pass("ok"))) == Types{"recovered"});
    s.clock.t += 1h;

    auto held = failAndWait(s);
    REQUIRE(eventTypes(held) == Types{"limited"});
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
    REQUIRE(eventTypes(failAndWait(s)) == Types{"failover"});
    s.both(Result::pass("ok"));

    REQUIRE(eventTypes(failAndWait(s)) == Types{"limited"});
    auto recovered = s.both(Result::pass("ok"));
    REQUIRE(eventTypes(recovered) == Types{"recovered"});
    CHECK(recovered[0].event.summary.find("without a remedy") != std::string::npos);
    CHECK(s.phase() == "idle");
    CHECK(s.state().runs.size() == 1);  // the window still counts the first run

    REQUIRE(eventTypes(failAndWait(s)) == Types{"limited"});
    s.clock.t = first + 2h - 1ms;
    CHECK(s.tick().empty());
    s.clock.t = first + 2h;
    auto reopened = s.tick();
    REQUIRE(eventTypes(reopened) == Types{"failover"});
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
    REQUIRE(eventTypes(held) == Types{"limited"});
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
    CHECK(eventTypes(failAndWait(s)) == Types{"failover"});
    CHECK(s.state().runs.empty());
    s.both(Result::pass("ok"));
    CHECK(eventTypes(failAndWait(s)) == Types{"failover"});
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
    CHECK(flap->event.summary ==
          "Icecast Sources is flapping (4 state changes within 1 min): no message per change until it is "
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
    CHECK(eventTypes(rules.onResult("icecast", Result::fail("0 sources"), tracker.snapshot())) == Types{"warning"});
}

namespace {

RuleSpec closedLoop() {
    RuleSpec r = failover(1min);
    r.verifyChecks = {"backup_stream"};
    r.verifyWithin = 5min;
    r.failback = true;
    r.failbackAfter = 15min;
    r.failbackThen.ids = {"stop_backup", "discord"};
    return r;
}

const Details kStarted{{"instance_id", "i-1"}, {"state", "running"}, {"public_ip", "203.0.113.7"}, {"private_ip", "10.0.0.7"}};

/// Fails over and reports the backup started; returns the failover event.
Event failOver(Station& s, bool ok = true, Details details = kStarted) {
    REQUIRE(eventTypes(s.both(Result::fail("down"))) == Types{"warning"});
    s.clock.t += 1min;
    auto fired = s.tick();
    REQUIRE(eventTypes(fired) == Types{"failover"});
    s.clock.t += 20s;
    auto outcome = s.rules.outcome(fired[0].event, "backup", ok, "started i-1", details, 20s, s.tracker.snapshot());
    CHECK(outcome.actions == std::vector<std::string>{"discord"});
    return fired[0].event;
}

}  // namespace

TEST_CASE("verify: after the remedies succeed, fresh passes of the verify checks record the time to air, with the address") {
    Station s({closedLoop()});
    s.both(Result::pass("ok"));
    s.report("backup_stream", Result::pass("stale: before the failover"));
    failOver(s);
    CHECK(s.phase() == "verifying");
    CHECK(*s.rules.nextWakeup() == s.clock.t + 5min);
    CHECK(s.report("cpu", Result::fail("down")).empty());  // the old pass of backup_stream does not count
    s.clock.t += 40s;
    CHECK(s.report("backup_stream", Result::fail("no source")).empty());
    s.clock.t += 40s;
    auto verified = s.report("backup_stream", Result::pass("1 source"));
    REQUIRE(eventTypes(verified) == Types{"verified"});
    CHECK(verified[0].actions == std::vector<std::string>{"discord"});
    CHECK(*verified[0].event.duration == 100s);
    CHECK(verified[0].event.summary == "Backup on air after 1 min 40 s: Backup stream passes (i-1 at 203.0.113.7, private 10.0.0.7)");
    CHECK(verified[0].event.details == Details{{"instance_id", "i-1"}, {"public_ip", "203.0.113.7"}, {"private_ip", "10.0.0.7"}});
    CHECK(s.phase() == "fired");
    s.clock.t += 1h;
    CHECK(s.tick().empty());
}

TEST_CASE("verify: a deadline that passes escalates once with not_verified; a later pass says nothing more") {
    Station s({closedLoop()});
    s.both(Result::pass("ok"));
    failOver(s);
    s.clock.t += 4min;
    CHECK(s.report("backup_stream", Result::fail("no source")).empty());
    CHECK(s.tick().empty());
    s.clock.t += 1min;
    auto escalated = s.tick();
    REQUIRE(eventTypes(escalated) == Types{"not_verified"});
    CHECK(escalated[0].actions == std::vector<std::string>{"discord"});
    CHECK(escalated[0].event.failing == std::vector<std::string>{"backup_stream"});
    CHECK(escalated[0].event.summary ==
          "Backup started but not on air: Backup stream does not pass 5 min after backup succeeded (i-1 at 203.0.113.7, private 10.0.0.7)");
    s.clock.t += 10min;
    CHECK(s.tick().empty());
    CHECK(s.report("backup_stream", Result::pass("1 source")).empty());
    CHECK(s.phase() == "fired");
}

TEST_CASE("verify: nothing is verified after a failed remedy or a dry run; a rule without verify stays fired") {
    for (bool failed : {true, false}) {
        Station s({closedLoop()});
        s.both(Result::pass("ok"));
        failOver(s, !failed, failed ? Details{} : Details{{"instance_id", "i-1"}, {"dry_run", "yes"}});
        CHECK(s.phase() == "fired");
        s.clock.t += 10min;
        CHECK(s.tick().empty());
    }
    Station plain({failover(1min)});
    plain.both(Result::pass("ok"));
    failOver(plain);
    CHECK(plain.phase() == "fired");
}

TEST_CASE("failback: recovery and failback are separate events; the failback actions run once the recovery lasted `after`") {
    Station s({closedLoop()});
    s.both(Result::pass("ok"));
    failOver(s);
    s.report("backup_stream", Result::pass("1 source"));
    s.clock.t += 10min;
    auto recovered = s.both(Result::pass("ok"));
    REQUIRE(eventTypes(recovered) == Types{"recovered"});
    CHECK(recovered[0].actions == std::vector<std::string>{"discord"});
    CHECK(recovered[0].event.summary ==
          "Recovered after 11 min 20 s: below the threshold (still failing: Encoder CPU); failing back "
          "in 15 min if it stays so (stop_backup, discord)");
    CHECK(s.phase() == "failing_back");
    CHECK(*s.rules.nextWakeup() == s.clock.t + 15min);
    s.clock.t += 15min - 1ms;
    CHECK(s.tick().empty());
    s.clock.t += 1ms;
    auto back = s.tick();
    REQUIRE(eventTypes(back) == Types{"failback"});
    CHECK(back[0].actions == std::vector<std::string>{"stop_backup", "discord"});
    CHECK(back[0].event.incident == recovered[0].event.incident);
    CHECK(back[0].event.summary ==
          "Healthy for 15 min since the recovery: failing back, running stop_backup, discord (i-1 at 203.0.113.7, private 10.0.0.7)");
    CHECK(s.phase() == "idle");
    // The failback remedy's outcome goes to the incident's notifiers.
    auto stopped = s.rules.outcome(back[0].event, "stop_backup", true, "stopped i-1", {}, 30s, s.tracker.snapshot());
    CHECK(toString(stopped.event.type) == std::string("outcome"));
    CHECK(stopped.actions == std::vector<std::string>{"discord"});
    CHECK_FALSE(s.rules.nextWakeup().has_value());
}

TEST_CASE("failback: a new failure during `after` cancels it and keeps the backup; the next recovery starts it over") {
    Station s({closedLoop()});
    s.both(Result::pass("ok"));
    failOver(s);
    s.both(Result::pass("ok"));
    REQUIRE(s.phase() == "failing_back");
    s.clock.t += 5min;
    auto again = s.both(Result::fail("down"));
    REQUIRE(eventTypes(again) == Types{"failback_cancelled"});
    CHECK(again[0].actions == std::vector<std::string>{"discord"});
    CHECK(again[0].event.summary ==
          "Failing again 5 min after the recovery (Icecast Sources, Encoder CPU): failback cancelled, the "
          "backup stays on");
    CHECK(s.phase() == "fired");  // no second failover: the backup is on
    s.clock.t += 1h;
    CHECK(s.tick().empty());
    CHECK(eventTypes(s.both(Result::pass("ok"))) == Types{"recovered"});
    s.clock.t += 15min;
    CHECK(eventTypes(s.tick()) == Types{"failback"});
}

TEST_CASE("failback and verify resume from the state file: the deadline is kept, fresh results first") {
    ManualClock clock;
    RuleState saved;
    saved.phase = RulePhase::FailingBack;
    saved.incident = "failover-1";
    saved.opened = clock.t - 1h;
    saved.deadline = clock.t + 1min;
    saved.fired = clock.t - 55min;
    saved.onAir = {{"instance_id", "i-1"}};
    RuleEngine rules({closedLoop()}, {"discord"}, clock, "test");
    rules.restore({{"failover", saved}});
    CheckTracker tracker(checkSettings());
    clock.t += 2min;
    CHECK(rules.tick(tracker.snapshot()).empty());  // no fresh results yet
    tracker.apply("icecast", Result::pass("ok"), clock.t);
    CHECK(rules.onResult("icecast", Result::pass("ok"), tracker.snapshot()).empty());
    tracker.apply("cpu", Result::pass("ok"), clock.t);
    auto back = rules.onResult("cpu", Result::pass("ok"), tracker.snapshot());
    REQUIRE(eventTypes(back) == Types{"failback"});
    CHECK(back[0].event.incident == "failover-1");
    CHECK(back[0].event.summary.find("(i-1)") != std::string::npos);
}

TEST_CASE("verify from_backup: a pass counts only when every source_ip it reports is the started instance's address") {
    RuleSpec spec = closedLoop();
    spec.verifyFromBackup = true;
    Station s({spec});
    s.both(Result::pass("ok"));
    failOver(s);
    REQUIRE(s.phase() == "verifying");
    // The primary came back and feeds the mount: the check passes, but it is not the backup on air.
    s.clock.t += 30s;
    CHECK(s.report("backup_stream", Result::pass("1 source").detail("/live source_ip", "192.0.2.10")).empty());
    s.clock.t += 30s;
    CHECK(s.report("backup_stream", Result::pass("1 source")).empty());  // no source address: nothing shown
    s.clock.t += 30s;
    auto verified = s.report("backup_stream", Result::pass("1 source").detail("/live source_ip", "10.0.0.7"));
    REQUIRE(eventTypes(verified) == Types{"verified"});
    CHECK(verified[0].event.summary ==
          "Backup on air after 1 min 50 s: Backup stream passes fed by the backup (i-1 at 203.0.113.7, private 10.0.0.7)");
}

TEST_CASE("verify from_backup: fed by another address until the deadline escalates, saying which address fed it") {
    RuleSpec spec = closedLoop();
    spec.verifyFromBackup = true;
    Station s({spec});
    s.both(Result::pass("ok"));
    failOver(s);
    s.clock.t += 1min;
    CHECK(s.report("backup_stream", Result::pass("1 source").detail("/live source_ip", "192.0.2.10")).empty());
    s.clock.t += 4min;
    auto escalated = s.tick();
    REQUIRE(eventTypes(escalated) == Types{"not_verified"});
    CHECK(escalated[0].event.failing == std::vector<std::string>{"backup_stream"});
    CHECK(escalated[0].event.summary ==
          "Backup started but not on air: Backup stream does not pass 5 min after backup succeeded (i-1 at 203.0.113.7, private "
          "10.0.0.7); Backup stream is fed from 192.0.2.10, not the backup");
}
