#include "HlsPlaylistParse.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace watchdog::hls_playlist {

namespace {

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string lineError(std::size_t line, const std::string& message) { return "line " + std::to_string(line) + ": " + message; }

// RFC 8216 4.2 decimal-integer: digits only, up to 2^64-1; we keep 18 digits (no overflow).
std::optional<long long> decimalInteger(const std::string& text) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoll(text);
}

// RFC 8216 4.2 decimal-floating-point: digits with an optional fraction, no sign, no exponent.
std::optional<double> decimalFloat(const std::string& text) {
    if (text.empty() || text.size() > 32 || text.find_first_not_of("0123456789.") != std::string::npos ||
        std::count(text.begin(), text.end(), '.') > 1 || text == ".")
        return std::nullopt;
    return std::strtod(text.c_str(), nullptr);
}

// Says what a text that does not start with #EXTM3U is, so an operator knows where to look.
[[noreturn]] void notAPlaylist(const std::string& text, const std::string& firstLine) {
    if (text.find('\0') != std::string::npos) throw HlsPlaylistError("is binary data, not an HLS playlist");
    const std::string start = lower(text.substr(0, 1024));
    const auto firstChar = start.find_first_not_of(" \t\r\n");
    if (start.find("<html") != std::string::npos || start.find("<!doctype") != std::string::npos ||
        (firstChar != std::string::npos && start[firstChar] == '<'))
        throw HlsPlaylistError("is an HTML page, not an HLS playlist (it begins '" + printableExcerpt(firstLine) + "')");
    throw HlsPlaylistError("is not an HLS playlist: the first line is '" + printableExcerpt(firstLine) + "', not #EXTM3U");
}

// The playlist's lines, without line ends (LF or CRLF).
std::vector<std::string> splitLines(const std::string& text) {
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos <= text.size();) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
        pos = nl + 1;
    }
    return lines;
}

// Throws unless the text starts with #EXTM3U and holds no NUL byte.
void checkHeader(const std::string& text, const std::string& firstLine) {
    if (firstLine != "#EXTM3U" && !(startsWith(firstLine, "#EXTM3U") && std::isspace(static_cast<unsigned char>(firstLine[7]))))
        notAPlaylist(text, firstLine);
    if (text.find('\0') != std::string::npos) throw HlsPlaylistError("holds NUL bytes: it is binary data, not an HLS playlist");
}

struct MediaTagSeen {
    std::size_t line = 0;
    std::string tag;
};

// Reads a playlist line by line (after the #EXTM3U line) into an HlsPlaylist.
class PlaylistParser {
public:
    void line(std::size_t n, const std::string& line) {
        if (line.find_first_not_of(" \t") == std::string::npos) return;
        if (line[0] != '#') return uriLine(n, line);
        if (!startsWith(line, "#EXT")) return;  // a comment
        const auto colon = line.find(':');
        const std::string tag = line.substr(0, colon);
        const std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (tag == "#EXTM3U") throw HlsPlaylistError(lineError(n, "a second #EXTM3U"));
        if (!mediaTag(n, tag, value)) masterTag(n, tag, value);
    }

    HlsPlaylist finish() {
        if (pendingStreamLine_ != 0) throw HlsPlaylistError(lineError(pendingStreamLine_, "#EXT-X-STREAM-INF has no URI line after it"));
        if (firstMaster_.line != 0 && firstMedia_.line != 0)
            throw HlsPlaylistError("mixes master playlist tags (" + firstMaster_.tag + ", line " + std::to_string(firstMaster_.line) +
                                   ") with media playlist tags (" + firstMedia_.tag + ", line " + std::to_string(firstMedia_.line) + ")");
        if (firstMaster_.line != 0) {
            p_.master = true;
            if (p_.variants.empty()) throw HlsPlaylistError("is a master playlist that lists no variant playlists");
            return p_;
        }
        if (durationPending_) throw HlsPlaylistError("ends with an #EXTINF that has no segment URI after it");
        if (!p_.targetDuration) throw HlsPlaylistError("has no #EXT-X-TARGETDURATION (a media playlist needs one)");
        for (std::size_t k = 0; k < p_.segments.size(); ++k) p_.segments[k].sequence = p_.mediaSequence + static_cast<long long>(k);
        return p_;
    }

private:
    // A line that is not a tag: the URI of a variant playlist or of a segment.
    void uriLine(std::size_t n, const std::string& line) {
        if (pendingStreamLine_ != 0) {
            p_.variants.push_back({line, "#EXT-X-STREAM-INF", 0});
            if (auto bw = hlsAttribute(pendingStreamAttributes_, "BANDWIDTH"))
                p_.variants.back().bandwidth = decimalInteger(*bw).value_or(0);
            pendingStreamLine_ = 0;
            return;
        }
        if (!durationPending_) {
            if (firstMaster_.line != 0)
                throw HlsPlaylistError(lineError(n, "URI '" + printableExcerpt(line) + "' has no #EXT-X-STREAM-INF before it"));
            throw HlsPlaylistError(lineError(n, "segment URI '" + printableExcerpt(line) + "' has no #EXTINF before it"));
        }
        p_.segments.push_back({line, pendingDuration_, 0, currentMap_});
        ++position_;
        durationPending_ = false;
    }

    // Reads a media playlist tag; false if `tag` is not one.
    bool mediaTag(std::size_t n, const std::string& tag, const std::string& value) {
        if (tag == "#EXT-X-TARGETDURATION") {
            auto v = decimalInteger(value);
            if (!v)
                throw HlsPlaylistError(lineError(n, "#EXT-X-TARGETDURATION needs whole seconds, not '" + printableExcerpt(value) + "'"));
            p_.targetDuration = *v;
        } else if (tag == "#EXT-X-MEDIA-SEQUENCE") {
            auto v = decimalInteger(value);
            if (!v)
                throw HlsPlaylistError(lineError(n, "#EXT-X-MEDIA-SEQUENCE needs a whole number, not '" + printableExcerpt(value) + "'"));
            if (position_ > 0) throw HlsPlaylistError(lineError(n, "#EXT-X-MEDIA-SEQUENCE after the first segment"));
            p_.mediaSequence = *v;
        } else if (tag == "#EXTINF") {
            const std::string seconds = value.substr(0, value.find(','));
            auto d = decimalFloat(seconds);
            if (!d) throw HlsPlaylistError(lineError(n, "#EXTINF needs a duration in seconds, not '" + printableExcerpt(seconds) + "'"));
            pendingDuration_ = *d;
            durationPending_ = true;
        } else if (tag == "#EXT-X-ENDLIST") {
            p_.endList = true;
        } else if (tag == "#EXT-X-PLAYLIST-TYPE") {
            p_.playlistType = value;
        } else if (tag == "#EXT-X-MAP") {
            auto uri = hlsAttribute(value, "URI");
            if (!uri || uri->empty()) throw HlsPlaylistError(lineError(n, "#EXT-X-MAP has no URI"));
            currentMap_ = *uri;
        } else {
            return false;
        }
        if (firstMedia_.line == 0) firstMedia_ = {n, tag};
        return true;
    }

    // Reads a master playlist tag; ignores any other.
    void masterTag(std::size_t n, const std::string& tag, const std::string& value) {
        if (tag == "#EXT-X-STREAM-INF") {
            sawMaster(n, tag);
            if (pendingStreamLine_ != 0)
                throw HlsPlaylistError(lineError(pendingStreamLine_, "#EXT-X-STREAM-INF has no URI line after it"));
            pendingStreamLine_ = n;
            pendingStreamAttributes_ = value;
        } else if (tag == "#EXT-X-MEDIA") {
            sawMaster(n, tag);
            // A rendition without URI is carried inside the stream's own segments: nothing to fetch.
            if (auto uri = hlsAttribute(value, "URI"); uri && !uri->empty()) p_.variants.push_back({*uri, tag, 0});
        } else if (tag == "#EXT-X-I-FRAME-STREAM-INF" || tag == "#EXT-X-SESSION-DATA" || tag == "#EXT-X-SESSION-KEY") {
            sawMaster(n, tag);  // trick-play and session tags: a player does not need them to play
        }
    }

    void sawMaster(std::size_t n, const std::string& tag) {
        if (firstMaster_.line == 0) firstMaster_ = {n, tag};
    }

    HlsPlaylist p_;
    MediaTagSeen firstMedia_, firstMaster_;
    // Plain values, not std::optional: GCC's -Wmaybe-uninitialized misfires on optionals here.
    bool durationPending_ = false;
    double pendingDuration_ = 0;
    std::size_t pendingStreamLine_ = 0;  // 0: no #EXT-X-STREAM-INF waits for its URI
    std::string pendingStreamAttributes_;
    std::string currentMap_;
    long long position_ = 0;
};

}  // namespace

std::string printableExcerpt(const std::string& text, std::size_t max) {
    std::string out;
    for (char c : text) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '?';
    }
    return out;
}

std::optional<std::string> hlsAttribute(const std::string& list, const std::string& name) {
    std::size_t i = 0;
    while (i < list.size()) {
        const auto eq = list.find('=', i);
        if (eq == std::string::npos) return std::nullopt;
        std::string key = list.substr(i, eq - i);
        key.erase(0, key.find_first_not_of(' '));
        std::size_t end;
        std::string value;
        if (eq + 1 < list.size() && list[eq + 1] == '"') {
            const auto close = list.find('"', eq + 2);
            if (close == std::string::npos) return std::nullopt;
            value = list.substr(eq + 2, close - eq - 2);
            end = list.find(',', close);
        } else {
            end = list.find(',', eq + 1);
            value = list.substr(eq + 1, end == std::string::npos ? std::string::npos : end - eq - 1);
        }
        if (key == name) return value;
        if (end == std::string::npos) return std::nullopt;
        i = end + 1;
    }
    return std::nullopt;
}

HlsPlaylist parseHlsPlaylist(const std::string& input) {
    if (input.empty()) throw HlsPlaylistError("is empty");
    std::string text = input;
    if (startsWith(text, "\xEF\xBB\xBF")) text.erase(0, 3);
    const std::vector<std::string> lines = splitLines(text);
    checkHeader(text, lines.front());
    PlaylistParser parser;
    for (std::size_t i = 1; i < lines.size(); ++i) parser.line(i + 1, lines[i]);
    return parser.finish();
}

}  // namespace watchdog::hls_playlist
