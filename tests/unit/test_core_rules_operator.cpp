// The operator's side of the rule engine with a hand-driven clock: maintenance windows (pipeline,
// check, rule), their end at the deadline, acknowledgements, and a recovery found at start.
#include "RuleStation.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

RuleSpec failover(std::chrono::milliseconds wait) { return failoverRule({"icecast", "cpu"}, 1, wait); }

struct Station : RuleStation {
    explicit Station(RuleSpec spec)
        : RuleStation({{"icecast", "Icecast Sources", 1, 1}, {"cpu", "Encoder CPU", 1, 1}}, {std::move(spec)}) {}

    std::vector<RoutedEvent> maintain(MaintenanceScope scope, const std::string& id, std::chrono::milliseconds length, bool end = false) {
        MaintenanceRequest r;
        r.scope = scope;
        r.id = id;
        r.length = length;
        r.end = end;
        r.by = "alice";
        return rules.maintain(r, tracker.snapshot());
    }
};

}  // namespace

TEST_CASE("pipeline maintenance cancels the countdown, holds the rule while checks fail, and ends by itself naming what failed") {
    Station s(failover(5min));
    s.report("cpu", Result::pass("ok"));
    REQUIRE(eventTypes(s.report("icecast", Result::fail("0 sources"))) == std::vector<std::string>{"warning"});
    auto started = s.maintain(MaintenanceScope::Pipeline, "", 1h);
    REQUIRE(eventTypes(started) == std::vector<std::string>{"maintenance_started", "cancelled"});
    CHECK(started[0].actions == std::vector<std::string>{"discord"});
    CHECK(*started[0].event.deadline == s.clock.t + 1h);
    CHECK(toString(s.rules.states().at("failover").phase) == std::string("idle"));
    s.clock.t += 10min;
    CHECK(s.report("icecast", Result::fail("0 sources")).empty());
    CHECK(s.rules.tick(s.tracker.snapshot()).empty());
    CHECK(*s.rules.nextWakeup() == started[0].event.deadline.value());
    s.clock.t += 50min;
    auto ended = s.rules.tick(s.tracker.snapshot());
    REQUIRE(eventTypes(ended) == std::vector<std::string>{"maintenance_ended", "warning"});  // still failing: the rule takes over
    CHECK(ended[0].event.failing == std::vector<std::string>{"icecast"});
    CHECK(ended[0].event.summary.find("ended as planned after 1 h: failed meanwhile: Icecast Sources") != std::string::npos);
    CHECK(s.rules.maintenance().empty());
}

TEST_CASE("a check in maintenance does not count; a rule in maintenance is held; ending one that is not there is refused") {
    Station s(failover(5min));
    s.report("cpu", Result::pass("ok"));
    s.maintain(MaintenanceScope::Check, "icecast", 1h);
    CHECK(s.report("icecast", Result::fail("0 sources")).empty());
    CHECK(eventTypes(s.report("cpu", Result::fail("stalled"))) == std::vector<std::string>{"warning"});  // cpu still counts
    CHECK_THROWS_AS(s.maintain(MaintenanceScope::Check, "nosuch", 1h), OperatorRequestRefused);
    CHECK_THROWS_AS(s.maintain(MaintenanceScope::Rule, "nosuch", 1h), OperatorRequestRefused);
    try {
        s.maintain(MaintenanceScope::Rule, "failover", 0ms, true);
        FAIL("ending a maintenance that is not in force must be refused");
    } catch (const OperatorRequestRefused& e) {
        CHECK(e.why() == OperatorRequestRefused::Why::NothingOpen);
    }
    auto held = s.maintain(MaintenanceScope::Rule, "failover", 30min);
    CHECK(eventTypes(held) == std::vector<std::string>{"maintenance_started", "cancelled"});
    s.clock.t += 10min;
    CHECK(s.report("cpu", Result::fail("stalled")).empty());
    CHECK(eventTypes(s.maintain(MaintenanceScope::Rule, "failover", 0ms, true)) ==
          std::vector<std::string>{"maintenance_ended", "warning"});
}

TEST_CASE("an acknowledged incident's escalations reach no notifier; the acknowledgement ends with the incident") {
    RuleSpec spec = failover(0ms);
    spec.verifyChecks = {"cpu"};
    spec.verifyWithin = 1min;
    Station s(spec);
    s.report("cpu", Result::fail("stalled"));
    CHECK_THROWS_AS(s.rules.acknowledge({"nosuch", "", "alice", {}}, s.tracker.snapshot()), OperatorRequestRefused);
    auto ack = s.rules.acknowledge({"", "on my way", "alice", {}}, s.tracker.snapshot());
    CHECK(toString(ack.event.type) == std::string("acknowledged"));
    CHECK(ack.actions == std::vector<std::string>{"discord"});
    CHECK(ack.event.summary.find("alice acknowledged incident failover-") == 0);
    REQUIRE(s.rules.states().at("failover").acknowledged);
    Event failoverEvent;
    failoverEvent.type = EventType::Failover;
    failoverEvent.rule = "failover";
    failoverEvent.incident = s.rules.states().at("failover").incident;
    s.rules.outcome(failoverEvent, "backup", true, "started", {}, 1s, s.tracker.snapshot());
    s.clock.t += 2min;
    auto escalated = s.rules.tick(s.tracker.snapshot());
    REQUIRE(eventTypes(escalated) == std::vector<std::string>{"not_verified"});
    CHECK(escalated[0].actions.empty());
    s.report("icecast", Result::pass("ok"));
    auto recovered = s.report("cpu", Result::pass("ok"));
    REQUIRE(eventTypes(recovered) == std::vector<std::string>{"recovered"});
    CHECK(recovered[0].actions == std::vector<std::string>{"discord"});
    CHECK_FALSE(s.rules.states().at("failover").acknowledged);
    try {
        s.rules.acknowledge({"failover", "", "alice", {}}, s.tracker.snapshot());
        FAIL("no open incident");
    } catch (const OperatorRequestRefused& e) {
        CHECK(e.why() == OperatorRequestRefused::Why::NothingOpen);
    }
}

TEST_CASE("an incident found recovered at start recovered while the watchdog was down") {
    Station s(failover(0ms));
    RuleState fired;
    fired.phase = RulePhase::Fired;
    fired.incident = "failover-1";
    fired.opened = s.clock.t - 1h;
    fired.remedies = {{"backup", RemedyProgress::Reported}};
    s.rules.restore({{"failover", fired}}, s.clock.t - 20min);
    s.report("icecast", Result::pass("ok"));
    auto events = s.report("cpu", Result::pass("ok"));
    REQUIRE(eventTypes(events) == std::vector<std::string>{"recovered"});
    CHECK(events[0].event.summary.find("Incident failover-1 recovered while the watchdog was down, at about ") == 0);
}

TEST_CASE("maintenance lengths: 1s to 30d, anything else one line naming the text") {
    CHECK(parseMaintenanceLength("1h") == 1h);
    CHECK(parseMaintenanceLength("30d") == maxMaintenance);
    for (const char* bad : {"-1h", "0s", "500ms", "31d", "99999d", "soon", ""}) {
        INFO(bad);
        CHECK_THROWS_AS(parseMaintenanceLength(bad), std::invalid_argument);
    }
}
