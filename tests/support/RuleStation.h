#pragma once

// A check tracker and a rule engine on a hand-driven clock, fed result by result, for the rule
// engine's unit tests. Header-only (it needs the core's internal headers: link watchdog_core_internal).

#include "ManualClock.h"
#include "engine/CheckTracker.h"
#include "engine/RuleEngine.h"

#include <chrono>
#include <string>
#include <vector>

namespace watchdog::test {

/// Rule "failover": `threshold` of `checks` failing warns discord, `wait` later runs backup, and the
/// recovery goes to discord.
inline RuleSpec failoverRule(std::vector<std::string> checks, int threshold, std::chrono::milliseconds wait) {
    RuleSpec r;
    r.id = "failover";
    r.checks = std::move(checks);
    r.threshold = threshold;
    r.warn.ids = {"discord"};
    r.wait = wait;
    r.then.ids = {"backup"};
    r.recover.ids = {"discord"};
    return r;
}

/// The checks' tracker and the rules, on `clock` (the test moves `clock.t`).
struct RuleStation {
    ManualClock clock;
    CheckTracker tracker;
    RuleEngine rules;

    /// `notifiers` are the actions that get every operator-facing event.
    RuleStation(std::vector<CheckSettings> checks, std::vector<RuleSpec> specs, std::vector<std::string> notifiers = {"discord"})
        : tracker(std::move(checks)), rules(std::move(specs), std::move(notifiers), clock, "test") {}

    /// Applies check `id`'s result `r` and returns what the rules make of it.
    std::vector<RoutedEvent> report(const std::string& id, const Result& r) {
        tracker.apply(id, r, clock.now());
        return rules.onResult(id, r, tracker.snapshot());
    }
    /// What the rules' timers make of the current time.
    std::vector<RoutedEvent> tick() { return rules.tick(tracker.snapshot()); }
};

/// The events' types, in order ("warning", "failover", ...).
inline std::vector<std::string> eventTypes(const std::vector<RoutedEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(toString(e.event.type));
    return out;
}

}  // namespace watchdog::test
