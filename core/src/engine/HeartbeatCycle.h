#pragma once

#include <watchdog/Event.h>

#include <set>
#include <string>
#include <vector>

namespace watchdog {

/// Tells when a check cycle is complete (every check has reported since the last one) and makes the
/// event heartbeat actions get for it, so a heartbeat proves that checks really run: a wedged
/// scheduler or engine stops the pings.
class HeartbeatCycle {
public:
    /// `checks`: the ids of every scheduled check.
    explicit HeartbeatCycle(std::vector<std::string> checks);

    /// Notes a result of `checkId`; true when that completed a cycle (the next one starts empty).
    bool onResult(const std::string& checkId);
    /// The cycle event: Status, no rule, the detail open_incidents = `openIncidents`.
    static Event event(const std::string& pipeline, TimePoint now, int openIncidents, std::vector<CheckSnapshot> checks);
    /// The Startup event a heartbeat gets when the daemon starts (not on a reload).
    static Event startup(const std::string& pipeline, TimePoint now, std::vector<CheckSnapshot> checks);

private:
    std::set<std::string> checks_;
    std::set<std::string> reported_;
};

}  // namespace watchdog
