#pragma once

// Which ping, if any, a heartbeat sends for an event: pure logic over the event and the time of the
// last ping, so the rate limit and the fail/success switching are tested without a clock or a server.

#include <watchdog/Event.h>

#include <chrono>
#include <optional>
#include <string>

namespace watchdog::heartbeat {

/// What the monitor is told.
enum class PingKind {
    Start,    ///< the daemon started (healthchecks' URL/start)
    Success,  ///< a cycle completed and no incident is open (URL)
    Fail,     ///< a cycle completed while an incident is open (URL/fail)
};

/// "start", "success" or "fail".
const char* toString(PingKind kind);

/// The detail the core puts on a heartbeat's cycle event: how many rule incidents are open.
inline constexpr const char* kOpenIncidentsDetail = "open_incidents";

/// Decides pings: at most one per `every` (0: one per cycle), except that a change between success
/// and fail is sent at once, so the monitor hears about an incident without waiting a period.
class PingPlan {
public:
    using Clock = std::chrono::steady_clock;

    /// `every`: the least time between two pings of the same kind; `start`: ping on Startup.
    PingPlan(std::chrono::milliseconds every, bool start);

    /// The ping `event` calls for at `now`, or nullopt. A ping returned counts as sent (a failed one
    /// is not retried: the next period tries again).
    std::optional<PingKind> next(const Event& event, Clock::time_point now);

    /// True if the core's cycle event says an incident is open.
    static bool incidentOpen(const Event& event);

private:
    std::chrono::milliseconds every_;
    bool start_;
    std::optional<Clock::time_point> last_;
    std::optional<PingKind> lastKind_;
};

}  // namespace watchdog::heartbeat
