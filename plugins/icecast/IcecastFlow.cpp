#include "IcecastFlow.h"

#include <algorithm>

namespace watchdog::icecast {

namespace {

// Samples closer together than this are not kept: with a short interval the window still holds
// only a handful of them.
constexpr auto kSampleGap = std::chrono::seconds(1);

std::optional<std::uint64_t> counter(const std::string& text) {
    if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoull(text);
}

}  // namespace

std::map<std::string, MountFlow> IcecastFlow::observe(const IcecastStats& stats, Clock::time_point now, const std::string& onlyMount) {
    ++run_;
    std::map<std::string, MountFlow> flows;
    for (const auto& m : stats.mounts) {
        if (!m.connected || (!onlyMount.empty() && m.mount != onlyMount)) continue;
        auto it = tracks_.find(m.mount);
        if (it == tracks_.end()) {
            if (tracks_.size() >= kMaxMounts) forgetOldest();
            if (tracks_.size() >= kMaxMounts) continue;
            it = tracks_.emplace(m.mount, Track{}).first;
            it->second.streamStart = m.streamStart;
        }
        flows[m.mount] = update(it->second, m, now);
    }
    return flows;
}

MountFlow IcecastFlow::update(Track& track, const IcecastMount& mount, Clock::time_point now) {
    MountFlow flow;
    track.lastRun = run_;
    const auto bytes = counter(mount.totalBytesRead);
    flow.bytesReported = bytes.has_value();
    // A new source connection: Icecast stamps a new stream_start (to the second) and counts the new
    // connection's bytes from 0, so a counter that went back is one too (a reconnect in the same second).
    const bool newStart = mount.streamStart != track.streamStart;
    const bool counterBack = bytes && track.lastBytes && *bytes < *track.lastBytes;
    if (newStart || counterBack) {
        ++track.reconnects;
        flow.reconnectedFrom = track.streamStart;
        track.streamStart = mount.streamStart;
        track.samples.clear();
        track.lastBytes.reset();
    }
    flow.reconnects = track.reconnects;
    if (!bytes) return flow;
    track.lastBytes = bytes;

    // The rate runs from the newest sample at least kMinWindow old; older ones are no longer needed.
    auto base = track.samples.end();
    for (auto s = track.samples.begin(); s != track.samples.end(); ++s)
        if (now - s->at >= kMinWindow) base = s;
    if (base != track.samples.end()) {
        const double seconds = std::chrono::duration<double>(now - base->at).count();
        flow.kbps = static_cast<double>(*bytes - base->bytes) * 8.0 / 1000.0 / seconds;
        flow.window = std::chrono::duration_cast<std::chrono::milliseconds>(now - base->at);
        track.samples.erase(track.samples.begin(), base);
    }
    if (track.samples.empty() || now - track.samples.back().at >= kSampleGap) track.samples.push_back({now, *bytes});
    return flow;
}

void IcecastFlow::forgetOldest() {
    // Mounts that were not in the latest runs go first.
    auto oldest =
        std::min_element(tracks_.begin(), tracks_.end(), [](const auto& a, const auto& b) { return a.second.lastRun < b.second.lastRun; });
    if (oldest != tracks_.end() && oldest->second.lastRun < run_) tracks_.erase(oldest);
}

}  // namespace watchdog::icecast
