#include "engine/StatusReportLimiter.h"

namespace watchdog {

StatusReportLimiter::StatusReportLimiter(const Clock& clock, std::chrono::milliseconds minInterval)
    : clock_(clock), minInterval_(minInterval) {}

StatusReportDecision StatusReportLimiter::request() {
    std::lock_guard<std::mutex> lock(mutex_);
    const TimePoint now = clock_.now();
    StatusReportDecision d;
    // A clock set back puts `now` before the last report: that starts a new window rather than
    // refusing every request until the clock catches up.
    if (last_ && minInterval_.count() > 0 && now >= *last_ && now - *last_ < minInterval_) {
        d.accepted = false;
        d.next = *last_ + minInterval_;
        d.firstRefusal = refused_ == 0;
        ++refused_;
        return d;
    }
    d.refusedBefore = refused_;
    refused_ = 0;
    last_ = now;
    return d;
}

void StatusReportLimiter::setMinInterval(std::chrono::milliseconds minInterval) {
    std::lock_guard<std::mutex> lock(mutex_);
    minInterval_ = minInterval;
}

std::chrono::milliseconds StatusReportLimiter::minInterval() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return minInterval_;
}

}  // namespace watchdog
