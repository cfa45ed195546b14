#pragma once

#include <watchdog/Abi.h>

#include <chrono>
#include <string>

namespace watchdog {

/// Wall-clock time as used in results, events, records and the state file.
using TimePoint = std::chrono::system_clock::time_point;
using Milliseconds = std::chrono::milliseconds;

/// A source of wall-clock time; the rule engine takes one so tests can drive time by hand.
class WATCHDOG_API Clock {
public:
    virtual ~Clock() = default;
    /// The current wall-clock time.
    virtual TimePoint now() const = 0;
};

/// The real system clock.
class WATCHDOG_API SystemClock : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

/// Milliseconds since the Unix epoch, the form times take in JSON and databases.
WATCHDOG_API long long toEpochMs(TimePoint t);
/// The inverse of toEpochMs.
WATCHDOG_API TimePoint fromEpochMs(long long ms);
/// ISO 8601 UTC with milliseconds, e.g. "2026-11-24T03:00:00.123Z".
WATCHDOG_API std::string toIso8601(TimePoint t);
/// Local time as the old script printed it: "2024-09-26 15:39:59".
WATCHDOG_API std::string toLocalSeconds(TimePoint t);

}  // namespace watchdog
