#pragma once

#include "LoudnessMeter.h"

#include <chrono>
#include <optional>

namespace watchdog::audio {

/// Tracks a silence across runs: when it started (in the check's clock), from each run's reading.
///
/// A run's audio ends about when the run reads it, so a reading whose last T seconds are silent
/// moves the start to now - T, unless an earlier run already saw the same silence begin. Runs that
/// decode nothing new leave it as it was.
class SilenceTracker {
public:
    using Clock = std::chrono::steady_clock;

    /// Takes one run's reading at `now`; returns how long the silence has lasted (0 when there is sound).
    std::chrono::milliseconds observe(Clock::time_point now, const LoudnessReading& reading);
    /// How long the silence has lasted at `now` (0 when the last audio ended in sound).
    std::chrono::milliseconds current(Clock::time_point now) const;
    /// When a run last decoded audio (nullopt before the first).
    std::optional<Clock::time_point> lastAudio() const { return lastAudio_; }

private:
    std::optional<Clock::time_point> silentSince_;
    std::optional<Clock::time_point> lastAudio_;
};

}  // namespace watchdog::audio
