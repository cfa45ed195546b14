#include "PingPlan.h"

namespace watchdog::heartbeat {

namespace {
// Cycles end when the slowest check has reported, a little earlier or later each time: a cycle that
// ends up to 5 % of `every` early still counts, so `every: 1m` with 60 s checks pings every cycle.
constexpr int kSlackPercent = 5;
}  // namespace

const char* toString(PingKind kind) {
    switch (kind) {
        case PingKind::Start:
            return "start";
        case PingKind::Success:
            return "success";
        case PingKind::Fail:
            return "fail";
    }
    return "success";
}

PingPlan::PingPlan(std::chrono::milliseconds every, bool start) : every_(every), start_(start) {}

bool PingPlan::incidentOpen(const Event& event) {
    for (const auto& [key, value] : event.details)
        if (key == kOpenIncidentsDetail) return !value.empty() && value != "0";
    return false;
}

std::optional<PingKind> PingPlan::next(const Event& event, Clock::time_point now) {
    if (event.type == EventType::Startup) {
        if (!start_) return std::nullopt;
        last_.reset();  // the first cycle after a start is reported whatever `every` says
        lastKind_ = PingKind::Start;
        return PingKind::Start;
    }
    if (event.type != EventType::Status || !event.rule.empty()) return std::nullopt;  // only the core's cycle event
    const PingKind kind = incidentOpen(event) ? PingKind::Fail : PingKind::Success;
    const bool changed = lastKind_ != kind;
    const auto due = every_ - every_ * kSlackPercent / 100;
    if (!changed && last_ && now - *last_ < due) return std::nullopt;
    last_ = now;
    lastKind_ = kind;
    return kind;
}

}  // namespace watchdog::heartbeat
