#pragma once

// What flows from each source across runs of the check: the rate at which Icecast reads from it
// (the change of <total_bytes_read>) and how often it reconnected (changes of <stream_start>).

#include "IcecastStats.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace watchdog::icecast {

/// One mount's flow as of this run.
struct MountFlow {
    std::optional<double> kbps;                  ///< kbit/s Icecast read from the source over `window`; none while measuring
    std::chrono::milliseconds window{0};         ///< the span the rate covers (at least IcecastFlow::kMinWindow)
    bool bytesReported = false;                  ///< Icecast reported total_bytes_read for the mount
    int reconnects = 0;                          ///< new source connections seen since the check started watching
    std::optional<std::string> reconnectedFrom;  ///< set when this run saw a new connection: the previous stream_start
};

/// Remembers each connected mount's byte counter and stream_start between runs.
class IcecastFlow {
public:
    using Clock = std::chrono::steady_clock;

    /// Icecast refreshes total_bytes_read about every 5 s (source.c, client_stats_update), so a rate
    /// over less than this could read 0 from a healthy source.
    static constexpr std::chrono::seconds kMinWindow{6};
    /// Mounts tracked at most; more connected mounts are not measured.
    static constexpr std::size_t kMaxMounts = 1000;

    /// Records the connected mounts of `stats` (only `onlyMount` when it is set) as seen at `now`
    /// and returns each one's flow.
    std::map<std::string, MountFlow> observe(const IcecastStats& stats, Clock::time_point now, const std::string& onlyMount = "");

private:
    struct Sample {
        Clock::time_point at;
        std::uint64_t bytes;
    };
    struct Track {
        std::string streamStart;
        std::deque<Sample> samples;              // oldest first, at least kSampleGap apart
        std::optional<std::uint64_t> lastBytes;  // the counter as the previous run saw it
        int reconnects = 0;
        std::uint64_t lastRun = 0;
    };
    MountFlow update(Track& track, const IcecastMount& mount, Clock::time_point now);
    void forgetOldest();

    std::map<std::string, Track> tracks_;
    std::uint64_t run_ = 0;
};

}  // namespace watchdog::icecast
