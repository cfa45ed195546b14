#include "http/LogThrottle.h"

namespace watchdog {

LogThrottle::LogThrottle(std::size_t perWindow, std::chrono::milliseconds window, std::string what,
                         std::function<SteadyClock::time_point()> now)
    : perWindow_(perWindow), window_(window), what_(std::move(what)), now_(std::move(now)) {}

std::string LogThrottle::count(std::size_t n) const { return std::to_string(n) + " more " + what_ + (n == 1 ? "" : "s"); }

std::optional<std::string> LogThrottle::admit(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = now_();
    if (!windowStart_ || now - *windowStart_ >= window_) {
        windowStart_ = now;
        passedInWindow_ = 0;
    }
    if (passedInWindow_ >= perWindow_) {
        ++leftOut_;
        return std::nullopt;
    }
    ++passedInWindow_;
    if (leftOut_ == 0) return line;
    std::string out = line + " (" + count(leftOut_) + " since the previous line " + (leftOut_ == 1 ? "was" : "were") + " not logged)";
    leftOut_ = 0;
    return out;
}

std::optional<std::string> LogThrottle::leftOut() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (leftOut_ == 0) return std::nullopt;
    std::string out = count(leftOut_) + (leftOut_ == 1 ? " was" : " were") + " not logged";
    leftOut_ = 0;
    return out;
}

}  // namespace watchdog
