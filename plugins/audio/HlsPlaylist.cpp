#include "HlsPlaylist.h"

#include "AvInput.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <cstdlib>
#include <sstream>

namespace watchdog::audio {

namespace {

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool isRemote(const std::string& location) { return startsWith(location, "http://") || startsWith(location, "https://"); }

std::string attribute(const std::string& line, const std::string& name) {
    const std::size_t at = line.find(name + "=");
    if (at == std::string::npos) return "";
    std::size_t begin = at + name.size() + 1;
    if (begin < line.size() && line[begin] == '"') {
        const std::size_t end = line.find('"', begin + 1);
        return line.substr(begin + 1, end == std::string::npos ? std::string::npos : end - begin - 1);
    }
    return line.substr(begin, line.find(',', begin) - begin);
}

}  // namespace

bool looksLikePlaylist(const std::string& text) {
    const std::size_t start = startsWith(text, "\xEF\xBB\xBF") ? 3 : 0;
    return text.compare(start, 7, "#EXTM3U") == 0;
}

HlsPlaylist parseHlsPlaylist(const std::string& text, const std::string& name) {
    if (!looksLikePlaylist(text)) throw AudioError(name + " is not an HLS playlist (no #EXTM3U)");
    HlsPlaylist p;
    std::istringstream in(text);
    std::string line;
    long long sequence = 0;
    double pendingSeconds = -1;
    bool pendingVariant = false;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        if (line.empty()) continue;
        if (line[0] == '#') {
            if (startsWith(line, "#EXT-X-STREAM-INF")) {
                p.master = true;
                pendingVariant = true;
            } else if (startsWith(line, "#EXTINF:")) {
                pendingSeconds = std::strtod(line.c_str() + 8, nullptr);
            } else if (startsWith(line, "#EXT-X-MEDIA-SEQUENCE:")) {
                sequence = std::strtoll(line.c_str() + 22, nullptr, 10);
            } else if (startsWith(line, "#EXT-X-TARGETDURATION:")) {
                p.targetDuration = std::strtod(line.c_str() + 22, nullptr);
            } else if (startsWith(line, "#EXT-X-KEY:")) {
                const std::string method = attribute(line, "METHOD");
                if (method != "NONE") p.unsupported = "encrypted segments (EXT-X-KEY METHOD=" + method + ")";
            } else if (startsWith(line, "#EXT-X-MAP:")) {
                p.unsupported = "fragmented MP4 segments (EXT-X-MAP)";
            }
            continue;
        }
        if (pendingVariant) {
            p.variants.push_back(line);
            pendingVariant = false;
        } else if (pendingSeconds >= 0) {
            p.segments.push_back(HlsSegment{line, pendingSeconds, sequence++});
            pendingSeconds = -1;
        }
    }
    return p;
}

std::string resolvePlaylistUri(const std::string& playlist, const std::string& uri) {
    if (isRemote(playlist)) {
        try {
            Poco::URI resolved(playlist);
            resolved.resolve(uri);
            const std::string scheme = resolved.getScheme();
            if (scheme != "http" && scheme != "https")
                throw AudioError(playlist + " names " + uri + ": only http and https segments are read");
            return resolved.toString();
        } catch (const Poco::Exception& e) {
            throw AudioError(playlist + " names '" + uri + "', which is not a URL (" + e.message() + ")");
        }
    }
    if (uri.find("://") != std::string::npos)
        throw AudioError(playlist + " names a URL (" + uri + "): a local playlist must name files beside it");
    std::string path = uri.substr(0, uri.find('?'));
    if (!path.empty() && path.front() == '/') path = path.substr(path.rfind('/') + 1);
    const std::size_t slash = playlist.rfind('/');
    return slash == std::string::npos ? path : playlist.substr(0, slash + 1) + path;
}

}  // namespace watchdog::audio
