#pragma once

#include "AudioDecoder.h"
#include "AudioSettings.h"
#include "AvInput.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace watchdog::audio {

/// A segment that could be decoded this run.
struct SegmentCandidate {
    std::string location;                   ///< file path or URL
    std::pair<long long, std::string> key;  ///< orders segments: (mtime in ns, name) or (media sequence, URI)
    double seconds = 0;                     ///< its duration (#EXTINF, or the gap to the previous file's mtime)
    unsigned long long bytes = 0;           ///< its size when known (local files), else 0
};

/// What a run's reading did besides decoding, for the result's details.
struct SourceNotes {
    int newSegments = 0;          ///< segments new since the last run
    int skippedSegments = 0;      ///< new ones left undecoded (older than the window, or past max_bytes)
    bool skippedPartial = false;  ///< the newest file was left alone because it is still being written
    bool continues = false;       ///< this run's first segment follows the last one decoded (no gap)
    std::string what;             ///< "5 segments of live.m3u8", "a 5 s sample of http://..."
};

/// Remembers the newest segment decoded and picks, among the segments on offer, the new ones to decode.
class SegmentCursor {
public:
    /// From `candidates` (oldest first): the new ones, newest last, at most `window` seconds of them
    /// (the newest always) and, where sizes are known, at most `maxBytes`. Moves the cursor past them.
    /// Throws AudioError when the newest alone is larger than `maxBytes`.
    std::vector<SegmentCandidate> pick(const std::vector<SegmentCandidate>& candidates, double window, unsigned long long maxBytes,
                                       SourceNotes& notes);
    /// True before the first pick.
    bool fresh() const { return !last_; }

private:
    std::optional<std::pair<long long, std::string>> last_;
};

/// Where the audio check's audio comes from: a local HLS folder (scanned or through its playlist),
/// an HLS playlist URL, or a live stream URL (an Icecast mount). Each run decodes what is new.
class AudioSource {
public:
    explicit AudioSource(AudioSettings settings) : settings_(std::move(settings)) {}

    /// Decodes this run's audio into `decoder`; throws AudioError when it cannot.
    void read(ReadBudget& budget, AudioDecoder& decoder, DecodeTotals& totals, SourceNotes& notes);
    /// A directory's segment files (matching the pattern), oldest first, without the one still being
    /// written (the newest, while younger than 1.5 x the usual gap between segments).
    static std::vector<SegmentCandidate> scanDirectory(const std::string& directory, const std::string& pattern, SourceNotes& notes);

private:
    void readSegments(const std::vector<SegmentCandidate>& candidates, ReadBudget& budget, AudioDecoder& decoder, DecodeTotals& totals,
                      SourceNotes& notes);
    std::string fetchPlaylist(const std::string& location, ReadBudget& budget);
    std::vector<SegmentCandidate> playlistSegments(const std::string& location, const std::string& text, ReadBudget& budget);
    void readStream(AvInput& input, AudioDecoder& decoder, DecodeTotals& totals, SourceNotes& notes);

    AudioSettings settings_;
    SegmentCursor cursor_;
};

}  // namespace watchdog::audio
