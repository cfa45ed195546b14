// What the engine does with `ha:`, against a scripted Coordination: a node that may not act tells no
// notifier but keeps remedies (their gate decides); the acting node closes the shared incident when
// it ends; a Warning joins the shared incident; a remedy's gate runs it, reports it already run, waits
// for the lease, runs it without the database only with when_db_down: act, and gives up on a stop.
#include "engine/CoordinatedRouting.h"

#include <doctest/doctest.h>

#include <atomic>
#include <deque>
#include <mutex>

using namespace watchdog;
using namespace std::chrono_literals;

namespace {

struct ScriptedCoordination : Coordination {
    std::atomic<bool> acting{true};
    std::string whenDbDown = "wait";
    std::mutex mutex;
    std::deque<RemedyClaimResult> claims;  // answered in order; the last one repeats
    std::vector<std::string> closed;
    std::optional<SharedIncident> shared;

    void start() override {}
    void stop(bool) override {}
    bool mayAct() const override { return acting; }
    RemedyClaim claim(const std::string&, const std::string&) override {
        std::lock_guard<std::mutex> lock(mutex);
        const RemedyClaimResult r = claims.front();
        if (claims.size() > 1) claims.pop_front();
        return {r, r == RemedyClaimResult::AlreadyDone ? "run by node a (token 3)" : ""};
    }
    void reported(const std::string&, const std::string&) override {}
    std::optional<SharedIncident> joinIncident(const std::string&, const SharedIncident& local) override { return shared ? shared : local; }
    void closeIncident(const std::string& rule, const std::string& incident) override { closed.push_back(rule + "/" + incident); }
    HaStatus status() const override {
        HaStatus s;
        s.whenDbDown = whenDbDown;
        return s;
    }
};

RoutedEvent routed(EventType type, std::vector<std::string> actions) {
    RoutedEvent r;
    r.event.type = type;
    r.event.rule = "failover";
    r.event.incident = "failover-1";
    r.actions = std::move(actions);
    return r;
}

Event failover() {
    Event e;
    e.type = EventType::Failover;
    e.incident = "failover-1";
    return e;
}

}  // namespace

TEST_CASE("a node that may not act tells no notifier; remedies and heartbeats still get the event") {
    ScriptedCoordination c;
    SystemClock clock;
    RuleEngine rules({}, {"discord"}, clock, "station");
    c.acting = false;
    const RoutedEvent out = coordinate(routed(EventType::Failover, {"discord", "backup", "alive"}), c, rules, {"discord"});
    CHECK(out.actions == std::vector<std::string>{"backup", "alive"});
    c.acting = true;
    CHECK(coordinate(routed(EventType::Failover, {"discord", "backup"}), c, rules, {"discord"}).actions.size() == 2);
}

TEST_CASE("the acting node closes the shared incident when it recovers or is cancelled; a follower does not") {
    ScriptedCoordination c;
    SystemClock clock;
    RuleEngine rules({}, {}, clock, "station");
    coordinate(routed(EventType::Recovered, {}), c, rules, {});
    coordinate(routed(EventType::Cancelled, {}), c, rules, {});
    coordinate(routed(EventType::Warning, {}), c, rules, {});
    CHECK(c.closed == std::vector<std::string>{"failover/failover-1", "failover/failover-1"});
    c.acting = false;
    coordinate(routed(EventType::Recovered, {}), c, rules, {});
    CHECK(c.closed.size() == 2);
}

TEST_CASE("remedy gate: runs when claimed, reports a run by another node, waits for the lease, gives up on a stop") {
    auto c = std::make_shared<ScriptedCoordination>();
    std::atomic<bool> stopping{false};
    const ActionContext ctx{"backup", "backup", false, &stopping};
    const RunGate gate = remedyGate(c, "backup");

    c->claims = {RemedyClaimResult::Run};
    CHECK_FALSE(gate(failover(), ctx));

    c->claims = {RemedyClaimResult::AlreadyDone};
    const auto done = gate(failover(), ctx);
    REQUIRE(done);
    CHECK(done->ok);
    CHECK(done->summary == "backup was not run again for incident failover-1: run by node a (token 3)");
    CHECK(isAlreadyRun(*done));

    c->claims = {RemedyClaimResult::NotLeader, RemedyClaimResult::Unavailable, RemedyClaimResult::Run};
    CHECK_FALSE(gate(failover(), ctx));  // waited two polls, then ran

    c->claims = {RemedyClaimResult::Unavailable};
    c->whenDbDown = "act";
    CHECK_FALSE(gate(failover(), ctx));

    c->whenDbDown = "wait";
    stopping = true;
    const auto stopped = gate(failover(), ctx);
    REQUIRE(stopped);
    CHECK_FALSE(stopped->ok);

    Event status;
    status.type = EventType::Status;
    CHECK_FALSE(gate(status, ctx));  // only Failover and Failback are claimed
}
