#pragma once

#include "watchdog/CheckState.h"
#include "watchdog/Result.h"

#include <map>
#include <string>
#include <vector>

namespace watchdog {

/// A check's hysteresis settings.
struct CheckSettings {
    std::string id;
    std::string label;
    int failAfter = 1;  ///< consecutive failing results before the check is failing
    int passAfter = 1;  ///< consecutive passing results before a failing check passes again
};

/// Per-check health with fail_after / pass_after hysteresis. `error` results count as failing.
/// From `unknown`, one pass makes a check passing; fail_after failures make it failing.
class CheckTracker {
public:
    explicit CheckTracker(const std::vector<CheckSettings>& checks);

    /// Records a result; returns true if the check's health changed.
    bool apply(const std::string& id, const Result& result, TimePoint now);
    /// Restores health and streak saved by an earlier run (no fresh result yet: hasResult stays false).
    void restore(const std::string& id, Health health, int consecutive, TimePoint since);
    /// Every check in configuration order.
    std::vector<CheckSnapshot> snapshot() const;
    /// One check, or nullptr.
    const CheckSnapshot* find(const std::string& id) const;

private:
    struct Entry {
        CheckSettings settings;
        CheckSnapshot state;
        bool lastFailed = false;
    };
    std::vector<Entry> entries_;
    std::map<std::string, std::size_t> index_;
};

}  // namespace watchdog
