#pragma once

// A clock the test moves by hand, for the rule engine and everything else that takes a Clock.

#include <watchdog/Clock.h>

namespace watchdog::test {

/// Starts at 2027-01-15 08:00:00 UTC (1.8e12 ms since the epoch); a test advances `t` itself.
struct ManualClock : Clock {
    TimePoint t = fromEpochMs(1'800'000'000'000);
    /// `t`.
    TimePoint now() const override { return t; }
};

}  // namespace watchdog::test
