#include "engine/HeartbeatCycle.h"

namespace watchdog {

HeartbeatCycle::HeartbeatCycle(std::vector<std::string> checks) : checks_(checks.begin(), checks.end()) {}

bool HeartbeatCycle::onResult(const std::string& checkId) {
    if (checks_.count(checkId) == 0) return false;
    reported_.insert(checkId);
    if (reported_.size() < checks_.size()) return false;
    reported_.clear();
    return true;
}

Event HeartbeatCycle::event(const std::string& pipeline, TimePoint now, int openIncidents, std::vector<CheckSnapshot> checks) {
    Event e;
    e.type = EventType::Status;
    e.time = now;
    e.pipeline = pipeline;
    e.summary = "check cycle completed";
    e.details.emplace_back("open_incidents", std::to_string(openIncidents));
    e.checks = std::move(checks);
    return e;
}

Event HeartbeatCycle::startup(const std::string& pipeline, TimePoint now, std::vector<CheckSnapshot> checks) {
    Event e;
    e.type = EventType::Startup;
    e.time = now;
    e.pipeline = pipeline;
    e.summary = "watchdog started";
    e.checks = std::move(checks);
    return e;
}

}  // namespace watchdog
