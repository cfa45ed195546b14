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
    if (after != before) {
        e.state.health = after;
        e.state.since = now;
        return true;
    }
    return false;
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
