// The rule engine and check hysteresis with a hand-driven clock: every transition of an incident,
// cancel, timers, check errors, and resuming from saved state.
#include "RuleStation.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

RuleSpec failover(std::chrono::milliseconds wait) { return failoverRule({"icecast", "cpu", "ts_age"}, 2, wait); }

/// A tracker and a rule engine over three checks, driven result by result.
struct Station : RuleStation {
    explicit Station(std::vector<RuleSpec> specs)
        : RuleStation({{"icecast", "Icecast Sources", 1, 1}, {"cpu", "Encoder CPU", 1, 1}, {"ts_age", "HLS Old Files", 1, 1}},
                      std::move(specs)) {}

    std::vector<RoutedEvent> allPass() {
        std::vector<RoutedEvent> out;
        for (const char* id : {"icecast", "cpu", "ts_age"})
            for (auto& e : report(id, Result::pass("ok"))) out.push_back(e);
        return out;
    }
};

}  // namespace

TEST_CASE("hysteresis: fail_after failures make a check failing, pass_after passes make it pass again") {
    CheckTracker t({{"cpu", "CPU", 3, 2}});
    const TimePoint now = fromEpochMs(0);
    CHECK(t.apply("cpu", Result::pass("ok"), now));
    CHECK(toString(t.find("cpu")->health) == std::string("passing"));
    CHECK_FALSE(t.apply("cpu", Result::fail("low"), now));
    CHECK_FALSE(t.apply("cpu", Result::error("gone"), now));  // errors count as failing
    CHECK(t.apply("cpu", Result::fail("low"), now));
    CHECK(toString(t.find("cpu")->health) == std::string("failing"));
    CHECK_FALSE(t.apply("cpu", Result::pass("ok"), now));
    CHECK(t.apply("cpu", Result::pass("ok"), now));
    CHECK(toString(t.find("cpu")->health) == std::string("passing"));
}

TEST_CASE("an incident: warning with deadline, one failover at the deadline, recovery with its duration") {
    Station s({failover(5min)});
    s.allPass();
    CHECK(s.report("icecast", Result::fail("0 sources")).empty());
    auto warned = s.report("cpu", Result::fail("not running"));
    REQUIRE(eventTypes(warned) == std::vector<std::string>{"warning"});
    CHECK(warned[0].actions == std::vector<std::string>{"discord"});
    CHECK(warned[0].event.failing == std::vector<std::string>{"icecast", "cpu"});
    CHECK(*warned[0].event.deadline == s.clock.t + 5min);
    CHECK(warned[0].event.summary == "2 of 3 checks failing (Icecast Sources, Encoder CPU); backup in 5 min");
    CHECK(*s.rules.nextWakeup() == s.clock.t + 5min);

    s.clock.t += 4min;
    CHECK(s.rules.tick(s.tracker.snapshot()).empty());
    s.clock.t += 1min;
    auto fired = s.rules.tick(s.tracker.snapshot());
    REQUIRE(eventTypes(fired) == std::vector<std::string>{"failover"});
    CHECK(fired[0].actions == std::vector<std::string>{"backup"});
    CHECK(fired[0].event.incident == warned[0].event.incident);
    CHECK(s.rules.tick(s.tracker.snapshot()).empty());
    CHECK(s.report("ts_age", Result::fail("old")).empty());  // still one incident: no second failover

    auto outcome = s.rules.outcome(fired[0].event, "backup", true, "started i-1", {{"instance_id", "i-1"}}, 2s, s.tracker.snapshot());
    CHECK(toString(outcome.event.type) == std::string("outcome"));
    CHECK(outcome.actions == std::vector<std::string>{"discord"});

    s.clock.t += 1min;
    s.report("icecast", Result::pass("ok"));
    auto recovered = s.report("cpu", Result::pass("ok"));
    REQUIRE(eventTypes(recovered) == std::vector<std::string>{"recovered"});
    CHECK(*recovered[0].event.duration == 6min);
    CHECK(recovered[0].event.summary == "Recovered after 6 min: below the threshold (still failing: HLS Old Files)");
    CHECK(toString(s.rules.states().at("failover").phase) == std::string("idle"));
}

TEST_CASE("the condition clearing during the countdown cancels, and no failover follows") {
    Station s({failover(5min)});
    s.allPass();
    s.report("icecast", Result::fail("0 sources"));
    REQUIRE(eventTypes(s.report("ts_age", Result::error("unreadable"))) == std::vector<std::string>{"warning"});
    s.clock.t += 1min;
    auto cancelled = s.report("ts_age", Result::pass("ok"));
    REQUIRE(eventTypes(cancelled) == std::vector<std::string>{"cancelled"});
    CHECK(cancelled[0].actions == std::vector<std::string>{"discord"});
    s.clock.t += 10min;
    CHECK(s.rules.tick(s.tracker.snapshot()).empty());
}

TEST_CASE("a restored pending rule keeps its deadline and waits for fresh results; a restored fired rule never fires again") {
    ManualClock clock;
    RuleState pending{RulePhase::Pending, "failover-1", clock.t - 1min, clock.t + 4min, false, {}};
    {
        RuleEngine rules({failover(5min)}, {"discord"}, clock, "test");
        rules.restore({{"failover", pending}});
        CheckTracker tracker({{"icecast", "I", 1, 1}, {"cpu", "C", 1, 1}, {"ts_age", "H", 1, 1}});
        clock.t += 5min;  // past the saved deadline, but no fresh result yet
        CHECK(rules.tick(tracker.snapshot()).empty());
        tracker.apply("icecast", Result::fail("x"), clock.t);
        CHECK(rules.onResult("icecast", Result::fail("x"), tracker.snapshot()).empty());
        tracker.apply("cpu", Result::fail("x"), clock.t);
        CHECK(rules.onResult("cpu", Result::fail("x"), tracker.snapshot()).empty());
        tracker.apply("ts_age", Result::pass("x"), clock.t);
        auto fired = rules.onResult("ts_age", Result::pass("x"), tracker.snapshot());
        REQUIRE(eventTypes(fired) == std::vector<std::string>{"failover"});
        CHECK(fired[0].event.incident == "failover-1");
    }
    {
        RuleState done{RulePhase::Fired, "failover-1", clock.t - 10min, clock.t - 5min, false, {}};
        RuleEngine rules({failover(5min)}, {"discord"}, clock, "test");
        rules.restore({{"failover", done}});
        CheckTracker tracker({{"icecast", "I", 1, 1}, {"cpu", "C", 1, 1}, {"ts_age", "H", 1, 1}});
        for (const char* id : {"icecast", "cpu", "ts_age"}) {
            tracker.apply(id, Result::fail("x"), clock.t);
            CHECK(rules.onResult(id, Result::fail("x"), tracker.snapshot()).empty());
        }
        clock.t += 1h;
        CHECK(rules.tick(tracker.snapshot()).empty());
    }
}

TEST_CASE("startup, every and throttled check_error triggers") {
    RuleSpec online;
    online.id = "online";
    online.trigger = RuleSpec::Trigger::Startup;
    online.then.ids = {"discord"};
    RuleSpec status;
    status.id = "status";
    status.trigger = RuleSpec::Trigger::Every;
    status.every = 1h;
    status.then.ids = {"discord"};
    RuleSpec errors;
    errors.id = "errors";
    errors.trigger = RuleSpec::Trigger::CheckError;
    errors.throttle = 15min;
    errors.then.ids = {"discord"};
    Station s({online, status, errors});

    auto started = s.rules.start(s.tracker.snapshot(), true);
    REQUIRE(eventTypes(started) == std::vector<std::string>{"startup"});
    CHECK(started[0].event.summary.find("The monitoring bot has restarted at ") == 0);
    CHECK(s.rules.start(s.tracker.snapshot(), false).empty());  // a reload announces nothing

    s.clock.t += 59min;
    CHECK(s.rules.tick(s.tracker.snapshot()).empty());
    s.clock.t += 1min;
    CHECK(eventTypes(s.rules.tick(s.tracker.snapshot())) == std::vector<std::string>{"status"});

    auto first = s.report("icecast", Result::error("credentials refused"));
    REQUIRE(eventTypes(first) == std::vector<std::string>{"check_error"});
    CHECK(first[0].event.checkId == "icecast");
    CHECK(first[0].event.summary.find("credentials refused") != std::string::npos);
    s.clock.t += 5min;
    CHECK(s.report("icecast", Result::error("credentials refused")).empty());                                  // throttled
    CHECK(eventTypes(s.report("cpu", Result::error("no /proc"))) == std::vector<std::string>{"check_error"});  // per check
    s.clock.t += 11min;
    CHECK(eventTypes(s.report("icecast", Result::error("credentials refused"))) == std::vector<std::string>{"check_error"});
    CHECK(eventTypes(s.rules.statusNow(s.tracker.snapshot())) == std::vector<std::string>{"status"});
}
