#pragma once

// RFC 8216 playlists as a player reads them: the tags hls_playlist needs, nothing more.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace watchdog::hls_playlist {

/// A playlist that cannot be used: the text says why ("line 3: ...", "is an HTML page ...").
class HlsPlaylistError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One media segment of a media playlist.
struct HlsSegment {
    std::string uri;         ///< as written (relative to the playlist's URI)
    double duration = 0;     ///< #EXTINF seconds
    long long sequence = 0;  ///< its media sequence number (#EXT-X-MEDIA-SEQUENCE + position)
    std::string mapUri;      ///< #EXT-X-MAP URI in force for it ("" : none)
};

/// One playlist a master playlist points to.
struct HlsVariant {
    std::string uri;          ///< as written (relative to the master's URI)
    std::string tag;          ///< "#EXT-X-STREAM-INF" or "#EXT-X-MEDIA"
    long long bandwidth = 0;  ///< BANDWIDTH of a stream (0 if absent or a rendition)
};

/// A parsed playlist: a master (variants) or a media playlist (segments), never both.
struct HlsPlaylist {
    bool master = false;                      ///< true: variants is set; false: the media fields are
    std::vector<HlsVariant> variants;         ///< master: streams and renditions with a URI, in order
    std::optional<long long> targetDuration;  ///< media: #EXT-X-TARGETDURATION seconds
    long long mediaSequence = 0;              ///< media: #EXT-X-MEDIA-SEQUENCE (0 when absent)
    bool endList = false;                     ///< media: #EXT-X-ENDLIST present (no more segments will come)
    std::string playlistType;                 ///< media: #EXT-X-PLAYLIST-TYPE (EVENT, VOD) or ""
    std::vector<HlsSegment> segments;         ///< media: in order

    /// The newest segment's sequence number (mediaSequence - 1 when there are none).
    long long newestSequence() const { return mediaSequence + static_cast<long long>(segments.size()) - 1; }
};

/// Parses playlist text (LF or CRLF lines, an optional UTF-8 BOM). Throws HlsPlaylistError naming the
/// line, or saying what the text is instead ("an HTML page", "binary data") when it is not a playlist.
HlsPlaylist parseHlsPlaylist(const std::string& text);

/// The value of one attribute in an RFC 8216 attribute list (quotes removed), nullopt if absent.
std::optional<std::string> hlsAttribute(const std::string& attributeList, const std::string& name);

/// At most `max` characters of `text` with control and non-ASCII bytes shown as '?', for messages.
std::string printableExcerpt(const std::string& text, std::size_t max = 60);

}  // namespace watchdog::hls_playlist
