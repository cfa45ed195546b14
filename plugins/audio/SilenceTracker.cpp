#include "SilenceTracker.h"

namespace watchdog::audio {

std::chrono::milliseconds SilenceTracker::observe(Clock::time_point now, const LoudnessReading& reading) {
    lastAudio_ = now;
    const auto trailing = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(reading.trailingSilence));
    if (reading.heardSound) {
        if (reading.trailingSilence > 0)
            silentSince_ = now - trailing;
        else
            silentSince_.reset();
    } else if (!silentSince_ || now - trailing < *silentSince_) {
        // Silent throughout: the silence goes on from where an earlier run saw it start.
        silentSince_ = now - trailing;
    }
    return current(now);
}

std::chrono::milliseconds SilenceTracker::current(Clock::time_point now) const {
    if (!silentSince_) return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - *silentSince_);
}

}  // namespace watchdog::audio
