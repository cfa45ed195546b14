#include "engine/CheckTracker.h"

namespace watchdog {

CheckTracker::CheckTracker(const std::vector<CheckSettings>& checks) {
    for (const auto& c : checks) {
        Entry e;
        e.settings = c;
        e.state.id = c.id;
        e.state.label = c.label;
        index_[c.id] = entries_.size();
        entries_.push_back(std::move(e));
    }
}

bool CheckTracker::apply(const std::string& id, const Result& result, TimePoint now) {
    auto it = index_.find(id);
    if (it == index_.end()) return false;
    Entry& e = entries_[it->second];
    const bool failed = result.status != Status::Pass;
    e.state.consecutive = (failed == e.lastFailed && (e.state.hasResult || e.state.consecutive > 0)) ? e.state.consecutive + 1 : 1;
    e.lastFailed = failed;
    e.state.last = result;
    e.state.hasResult = true;
    e.state.lastRun = now;
    const Health before = e.state.health;
    Health after = before;
    if (failed && e.state.consecutive >= e.settings.failAfter) after = Health::Failing;
    if (!failed && (before == Health::Unknown || e.state.consecutive >= e.settings.passAfter)) after = Health::Passing;
    const bool changed = after != before;
    if (changed) {
        e.state.health = after;
        e.state.since = now;
        if (before != Health::Unknown) e.changes.push_back(now);
    }
    updateFlapping(e, now);
    return changed;
}

void CheckTracker::updateFlapping(Entry& e, TimePoint now) {
    if (e.settings.flapChanges <= 0) return;
    while (!e.changes.empty() && e.changes.front() <= now - e.settings.flapWithin) e.changes.pop_front();
    const int n = static_cast<int>(e.changes.size());
    e.state.recentChanges = n;
    // Two thresholds, as Nagios's flap detection has, so a check at the edge does not flap in and out.
    if (!e.state.flapping && n >= e.settings.flapChanges)
        e.state.flapping = true;
    else if (e.state.flapping && n * 2 < e.settings.flapChanges)
        e.state.flapping = false;
}

void CheckTracker::restoreFlapping(const std::string& id, bool flapping, const std::vector<TimePoint>& changes) {
    auto it = index_.find(id);
    if (it == index_.end() || entries_[it->second].settings.flapChanges <= 0) return;
    Entry& e = entries_[it->second];
    e.changes.assign(changes.begin(), changes.end());
    e.state.flapping = flapping;
    e.state.recentChanges = static_cast<int>(changes.size());
}

std::vector<TimePoint> CheckTracker::recentChanges(const std::string& id) const {
    auto it = index_.find(id);
    if (it == index_.end()) return {};
    const auto& changes = entries_[it->second].changes;
    return {changes.begin(), changes.end()};
}

void CheckTracker::restore(const std::string& id, Health health, int consecutive, TimePoint since) {
    auto it = index_.find(id);
    if (it == index_.end()) return;
    Entry& e = entries_[it->second];
    e.state.health = health;
    e.state.consecutive = consecutive;
    e.state.since = since;
    e.lastFailed = health == Health::Failing;
    if (health == Health::Unknown) e.state.consecutive = 0;
}

std::vector<CheckSnapshot> CheckTracker::snapshot() const {
    std::vector<CheckSnapshot> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.state);
    return out;
}

const CheckSnapshot* CheckTracker::find(const std::string& id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &entries_[it->second].state;
}

}  // namespace watchdog
