#pragma once

#include "HlsPlaylistFetch.h"
#include "HlsPlaylistParse.h"

#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>

#include "TlsClientPolicy.h"
#include <Poco/URI.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace watchdog::hls_playlist {

/// The hls_playlist check's options, read once by configure().
struct HlsPlaylistSettings {
    Poco::URI uri;                             ///< the playlist: file:///... for `path`, http(s):// for `url`
    std::string shownAs;                       ///< how messages name it: the path, or the URL
    std::chrono::milliseconds maxStall{0};     ///< newest segment unchanged longer than this fails (0: 3 x target duration)
    int checkSegments = 3;                     ///< the newest N segments of each media playlist are looked at
    unsigned long long maxBytes = 1ULL << 20;  ///< a larger playlist is an error
    std::string caFile;                        ///< PEM bundle trusted for https ("" : the system's CAs)
};

/// Reads the playlist a player reads (local or over HTTP(S), master or media) and fails when its
/// newest segment stops advancing, when a listed segment is missing or empty, or when it has ended.
class HlsPlaylistCheck : public Check {
public:
    /// Reads path or url, max_stall, check_segments, max_bytes, ca_file.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// One look at the playlist(s), judged at the steady clock's now.
    Result run(const CheckContext& context) override;

    /// The same run with `now` as the time stall tracking uses (tests drive time by hand).
    Result runAt(const CheckContext& context, std::chrono::steady_clock::time_point now);
    /// The options as configure() read them.
    const HlsPlaylistSettings& settings() const { return settings_; }

    /// At most this many variant playlists of a master are checked.
    static constexpr std::size_t kMaxVariants = 20;

private:
    /// Where one media playlist's newest segment stood, and since when.
    struct Progress {
        long long newest = 0;
        std::chrono::steady_clock::time_point since;
    };
    /// What the look at one media playlist found.
    struct MediaReport {
        std::string name;  ///< as the master wrote it, or the configured path/URL
        Status status = Status::Pass;
        std::vector<std::string> problems;       ///< fail or error reasons
        std::string state;                       ///< "newest segment #46 (+2 since last run)"
        std::string detail;                      ///< one line for a master's details
        Details facts;                           ///< the details of a media playlist checked on its own
        std::chrono::milliseconds unchanged{0};  ///< how long the newest segment has stood still
        std::size_t listed = 0;                  ///< segments listed
        std::size_t present = 0;                 ///< of the newest checked, how many were usable
    };

    MediaReport checkMedia(HlsFetcher& fetcher, const std::string& name, const Poco::URI& uri, const HlsPlaylist& playlist,
                           std::chrono::steady_clock::time_point now);
    std::vector<std::string> segmentProblems(HlsFetcher& fetcher, const Poco::URI& uri, const HlsPlaylist& playlist, std::size_t& present);
    common::TlsContextPtr tlsContext();
    static Result compose(const std::vector<MediaReport>& reports, const HlsPlaylistSettings& settings, bool master, std::size_t unchecked);

    HlsPlaylistSettings settings_;
    common::TlsContextPtr tls_;
    std::map<std::string, Progress> progress_;  ///< by the media playlist's resolved URI
};

}  // namespace watchdog::hls_playlist
