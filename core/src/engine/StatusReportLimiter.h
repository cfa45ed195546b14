#pragma once

#include <watchdog/Clock.h>

#include <chrono>
#include <mutex>
#include <optional>

namespace watchdog {

/// The answer to a request for a status report now (SIGUSR1, POST /notify).
struct StatusReportDecision {
    bool accepted = true;           ///< false: one went less than status_min_interval ago; this one is not sent
    std::optional<TimePoint> next;  ///< refused: when the next on-demand report may go
    bool firstRefusal = false;      ///< refused, and the first refusal since the last report (the one to log)
    int refusedBefore = 0;          ///< accepted: how many requests were refused since the previous report
};

/// Coalesces on-demand status reports: at most one per `minInterval` (0: no limit). Requests inside
/// the window are refused, so 200 POST /notify make one Discord message, not 200. Thread-safe.
class StatusReportLimiter {
public:
    StatusReportLimiter(const Clock& clock, std::chrono::milliseconds minInterval);

    /// Decides one request; an accepted one starts a new window.
    StatusReportDecision request();
    /// Changes the interval (a reload); the current window keeps its start.
    void setMinInterval(std::chrono::milliseconds minInterval);
    /// The interval.
    std::chrono::milliseconds minInterval() const;

private:
    const Clock& clock_;
    mutable std::mutex mutex_;
    std::chrono::milliseconds minInterval_;
    std::optional<TimePoint> last_;
    int refused_ = 0;
};

}  // namespace watchdog
