#pragma once

#include <watchdog/CheckState.h>
#include <watchdog/Result.h>

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace watchdog {

/// A check's hysteresis settings.
struct CheckSettings {
    std::string id;
    std::string label;
    int failAfter = 1;                        ///< consecutive failing results before the check is failing
    int passAfter = 1;                        ///< consecutive passing results before a failing check passes again
    int flapChanges = 0;                      ///< `flap.changes`: this many health changes within flapWithin make it flapping; 0 off
    std::chrono::milliseconds flapWithin{0};  ///< `flap.within`
};

/// Per-check health with fail_after / pass_after hysteresis. `error` results count as failing.
/// From `unknown`, one pass makes a check passing; fail_after failures make it failing.
/// With `flap:`, a check whose health changed flapChanges times within flapWithin is flapping (as
/// Nagios has it) until fewer than half as many changes remain in the window.
class CheckTracker {
public:
    explicit CheckTracker(const std::vector<CheckSettings>& checks);

    /// Records a result; returns true if the check's health changed.
    bool apply(const std::string& id, const Result& result, TimePoint now);
    /// Restores health and streak saved by an earlier run (no fresh result yet: hasResult stays false).
    void restore(const std::string& id, Health health, int consecutive, TimePoint since);
    /// Restores the flapping state and the recent health changes saved by an earlier run.
    void restoreFlapping(const std::string& id, bool flapping, const std::vector<TimePoint>& changes);
    /// The recent health changes of a check with `flap:` (for the state file).
    std::vector<TimePoint> recentChanges(const std::string& id) const;
    /// Every check in configuration order.
    std::vector<CheckSnapshot> snapshot() const;
    /// One check, or nullptr.
    const CheckSnapshot* find(const std::string& id) const;

private:
    struct Entry {
        CheckSettings settings;
        CheckSnapshot state;
        bool lastFailed = false;
        std::deque<TimePoint> changes;  // health changes within flapWithin
    };
    static void updateFlapping(Entry& e, TimePoint now);
    std::vector<Entry> entries_;
    std::map<std::string, std::size_t> index_;
};

}  // namespace watchdog
