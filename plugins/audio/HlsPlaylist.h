#pragma once

#include <string>
#include <vector>

namespace watchdog::audio {

/// One segment a media playlist lists.
struct HlsSegment {
    std::string uri;         ///< as written in the playlist
    double seconds = 0;      ///< its #EXTINF duration
    long long sequence = 0;  ///< its media sequence number (#EXT-X-MEDIA-SEQUENCE + position)
};

/// A parsed HLS playlist: a master (variants) or a media playlist (segments).
struct HlsPlaylist {
    bool master = false;
    std::vector<std::string> variants;  ///< a master's variant URIs, in playlist order
    std::vector<HlsSegment> segments;   ///< a media playlist's segments, oldest first
    double targetDuration = 0;          ///< #EXT-X-TARGETDURATION (0 if absent)
    std::string unsupported;            ///< why its segments cannot be decoded alone (encryption, fMP4), or ""
};

/// Parses playlist text (RFC 8216). Throws AudioError naming `name` when it is not a playlist.
HlsPlaylist parseHlsPlaylist(const std::string& text, const std::string& name);

/// True when `text` starts like a playlist ("#EXTM3U", after an optional byte order mark).
bool looksLikePlaylist(const std::string& text);

/// Where a URI in a playlist points: for a playlist URL, the URL it resolves to (http and https only);
/// for a local playlist file, the file beside it (a path starting with '/' is a path on the web server,
/// so only its name is kept; a query string is dropped). Throws AudioError for what cannot be followed.
std::string resolvePlaylistUri(const std::string& playlist, const std::string& uri);

}  // namespace watchdog::audio
