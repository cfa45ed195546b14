#include "history/MaintenancePeriods.h"

#include <algorithm>
#include <map>

namespace watchdog {

namespace {

std::string detail(const Event& e, const std::string& key) {
    for (const auto& [k, v] : e.details)
        if (k == key) return v;
    return "";
}

bool covers(const MaintenancePeriod& p, const std::string& checkId) { return p.checkId.empty() || p.checkId == checkId; }

}  // namespace

std::vector<MaintenancePeriod> maintenancePeriods(const std::vector<Record>& records, TimePoint until) {
    std::vector<MaintenancePeriod> periods;
    std::map<std::string, MaintenancePeriod> open;  // by scope and id
    for (const auto& r : records) {
        if (r.kind != RecordKind::Event) continue;
        const Event& e = r.event;
        if (e.type != EventType::MaintenanceStarted && e.type != EventType::MaintenanceEnded) continue;
        const std::string scope = detail(e, "scope");
        if (scope != "pipeline" && scope != "check") continue;
        const std::string checkId = scope == "check" ? detail(e, "id") : "";
        const std::string key = scope + "/" + checkId;
        if (e.type == EventType::MaintenanceStarted) {
            auto it = open.find(key);
            // An extension keeps the window's start.
            const TimePoint from = it == open.end() ? r.time : it->second.from;
            open[key] = MaintenancePeriod{checkId, from, e.deadline.value_or(r.time)};
            continue;
        }
        const TimePoint from = e.duration ? r.time - *e.duration : r.time;
        periods.push_back({checkId, from, r.time});
        open.erase(key);
    }
    for (auto& [key, p] : open) {
        p.to = std::min(p.to, until);
        if (p.to > p.from) periods.push_back(p);
    }
    return periods;
}

bool inMaintenance(const std::vector<MaintenancePeriod>& periods, const std::string& checkId, TimePoint t) {
    return std::any_of(periods.begin(), periods.end(),
                       [&](const MaintenancePeriod& p) { return covers(p, checkId) && t >= p.from && t <= p.to; });
}

std::chrono::milliseconds maintenanceTime(const std::vector<MaintenancePeriod>& periods, const std::string& checkId, TimePoint from,
                                          TimePoint to) {
    std::vector<std::pair<TimePoint, TimePoint>> spans;
    for (const auto& p : periods) {
        if (!covers(p, checkId)) continue;
        const TimePoint a = std::max(p.from, from), b = std::min(p.to, to);
        if (b > a) spans.emplace_back(a, b);
    }
    std::sort(spans.begin(), spans.end());
    std::chrono::milliseconds total{0};
    TimePoint reached = from;
    for (const auto& [a, b] : spans) {
        const TimePoint start = std::max(a, reached);
        if (b > start) {
            total += std::chrono::duration_cast<std::chrono::milliseconds>(b - start);
            reached = b;
        }
    }
    return total;
}

}  // namespace watchdog
