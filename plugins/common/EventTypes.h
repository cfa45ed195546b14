#pragma once

// The event types an action can choose with `events:`, in the order the plugin READMEs list them:
// one list for every plugin (header only, so a plugin needs nothing else from plugins/common).

#include <watchdog/Event.h>

#include <vector>

namespace watchdog::common {

/// Every event type the engine sends, in the READMEs' order; the closed-loop and operator events
/// (from `limited` on) come last.
inline const std::vector<EventType>& allEventTypes() {
    static const std::vector<EventType> all = {EventType::Startup,
                                               EventType::Status,
                                               EventType::Warning,
                                               EventType::Cancelled,
                                               EventType::Failover,
                                               EventType::Outcome,
                                               EventType::Recovered,
                                               EventType::CheckError,
                                               EventType::Shutdown,
                                               EventType::Limited,
                                               EventType::Verified,
                                               EventType::NotVerified,
                                               EventType::Failback,
                                               EventType::FailbackCancelled,
                                               EventType::Flapping,
                                               EventType::Stable,
                                               EventType::MaintenanceStarted,
                                               EventType::MaintenanceEnded,
                                               EventType::Acknowledged};
    return all;
}

}  // namespace watchdog::common
