#pragma once

#include <watchdog/Clock.h>
#include <watchdog/Result.h>

#include <string>

namespace watchdog {

/// A check's health after hysteresis (fail_after / pass_after).
enum class Health {
    Unknown,  ///< no result yet
    Passing,
    Failing,
};

/// "unknown", "passing" or "failing".
WATCHDOG_API const char* toString(Health health);

/// What the daemon currently knows about one check; events carry one per check.
struct CheckSnapshot {
    std::string id;     ///< the key under checks: ("icecast")
    std::string label;  ///< display name ("Icecast Sources")
    Health health = Health::Unknown;
    Result last;             ///< the latest result (status Error with empty summary if none yet)
    bool hasResult = false;  ///< false until the first result arrived
    int consecutive = 0;     ///< how many results in a row had last.status's pass/fail sense
    TimePoint since{};       ///< when health last changed
    TimePoint lastRun{};     ///< when the latest result arrived
    bool flapping = false;   ///< with `flap:`, its health changed too often lately; rules count it as failing
    int recentChanges = 0;   ///< with `flap:`, health changes within `flap.within`
};

}  // namespace watchdog
