#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace watchdog {

/// Keeps a flood of alike log lines (refused tokens) from filling the log: in each window (a minute)
/// the first `perWindow` lines pass; the rest are counted, and the next line that passes after the
/// window says how many were left out. Thread-safe.
class LogThrottle {
public:
    using SteadyClock = std::chrono::steady_clock;

    /// `what` names one line in the count ("refused request"); `now` is the clock (tests drive it).
    LogThrottle(std::size_t perWindow, std::chrono::milliseconds window, std::string what,
                std::function<SteadyClock::time_point()> now = SteadyClock::now);

    /// The line to log (with "(N more refused requests since the previous line were not logged)"
    /// when lines were left out since the last one logged), or nothing when this one is left out.
    std::optional<std::string> admit(const std::string& line);
    /// "N more refused requests were not logged" if lines were left out since the last one logged;
    /// resets the count (for when the server stops).
    std::optional<std::string> leftOut();

private:
    std::string count(std::size_t n) const;

    const std::size_t perWindow_;
    const std::chrono::milliseconds window_;
    const std::string what_;
    const std::function<SteadyClock::time_point()> now_;
    std::mutex mutex_;
    std::optional<SteadyClock::time_point> windowStart_;
    std::size_t passedInWindow_ = 0;
    std::size_t leftOut_ = 0;
};

}  // namespace watchdog
