#include "engine/CoordinatedRouting.h"

#include <Poco/Logger.h>

#include <thread>

namespace watchdog {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("watchdog.ha"); }

constexpr auto kClaimPoll = std::chrono::milliseconds(50);

}  // namespace

RoutedEvent coordinate(const RoutedEvent& routed, Coordination& coordination, RuleEngine& rules, const std::set<std::string>& notifiers) {
    RoutedEvent out = routed;
    Event& e = out.event;
    if (e.type == EventType::Warning && !e.rule.empty() && e.deadline) {
        const auto shared = coordination.joinIncident(e.rule, SharedIncident{e.incident, e.time, *e.deadline});
        if (shared && shared->incident != e.incident && rules.adoptIncident(e.rule, shared->incident, shared->opened, shared->deadline)) {
            logger().information("HA: rule " + e.rule + " joins incident " + shared->incident + " (opened by another node; deadline kept)");
            e.incident = shared->incident;
            e.deadline = shared->deadline;
        }
    }
    if (coordination.mayAct()) {
        if ((e.type == EventType::Cancelled || e.type == EventType::Recovered) && !e.rule.empty())
            coordination.closeIncident(e.rule, e.incident);
        return out;
    }
    std::vector<std::string> kept;
    for (const auto& id : out.actions)
        if (notifiers.count(id) == 0) kept.push_back(id);
    out.actions = std::move(kept);
    return out;
}

bool isAlreadyRun(const Outcome& outcome) {
    for (const auto& [key, value] : outcome.details)
        if (key == "ha" && value == "already_run") return true;
    return false;
}

RunGate remedyGate(std::shared_ptr<Coordination> coordination, std::string action) {
    return [coordination, action](const Event& event, const ActionContext& context) -> std::optional<Outcome> {
        if (event.type != EventType::Failover && event.type != EventType::Failback) return std::nullopt;
        bool waitingLogged = false;
        while (!context.isStopping()) {
            const RemedyClaim claim = coordination->claim(event.incident, action);
            if (claim.result == RemedyClaimResult::Run) return std::nullopt;
            if (claim.result == RemedyClaimResult::AlreadyDone)
                return Outcome::success(action + " was not run again for incident " + event.incident + ": " + claim.summary,
                                        {{"ha", "already_run"}});
            if (claim.result == RemedyClaimResult::Unavailable && coordination->status().whenDbDown == "act") {
                logger().error("HA: running " + action + " for incident " + event.incident +
                               " without recording it: the lease database cannot be reached (when_db_down: act)");
                return std::nullopt;
            }
            if (!waitingLogged)
                logger().information("HA: " + action + " for incident " + event.incident + " waits: " +
                                     (claim.result == RemedyClaimResult::NotLeader
                                          ? claim.summary
                                          : "the lease database cannot be reached (when_db_down: wait)"));
            waitingLogged = true;
            std::this_thread::sleep_for(kClaimPoll);
        }
        return Outcome::failure(action + " was not run: the daemon stopped while waiting for the lease");
    };
}

}  // namespace watchdog
