#include "AudioSettings.h"

#include <watchdog/HumanFormat.h>

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <unistd.h>

namespace watchdog::audio {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Splits "  -50.5 LUFS" into -50.5 and "lufs"; nullopt when it does not start with a number.
std::optional<std::pair<double, std::string>> numberAndUnit(const std::string& text) {
    const std::string t = trimmed(text);
    if (t.empty()) return std::nullopt;
    const char* begin = t.c_str();
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(v)) return std::nullopt;
    // strtod also reads "inf", "nan" and hex floats: only plain decimals are levels or rates.
    if (t.find_first_not_of("+-0123456789.") < static_cast<std::size_t>(end - begin)) return std::nullopt;
    return std::make_pair(v, lower(trimmed(std::string(end))));
}

bool isHttpUrl(const std::string& url) {
    const std::string l = lower(url);
    for (const char* scheme : {"http://", "https://"}) {
        const std::size_t n = std::char_traits<char>::length(scheme);
        if (l.compare(0, n, scheme) == 0) return url.size() > n && url[n] != '/';
    }
    return false;
}

}  // namespace

std::optional<double> parseLevel(const std::string& text) {
    auto parsed = numberAndUnit(text);
    if (!parsed) return std::nullopt;
    const std::string& unit = parsed->second;
    if (unit.empty() || unit == "db" || unit == "lufs" || unit == "lkfs" || unit == "dbfs") return parsed->first;
    return std::nullopt;
}

std::optional<long long> parseBitrate(const std::string& text) {
    auto parsed = numberAndUnit(text);
    if (!parsed || parsed->first < 0) return std::nullopt;
    const std::string& unit = parsed->second;
    double mult = 0;
    if (unit.empty() || unit == "bit/s" || unit == "bps")
        mult = 1;
    else if (unit == "k" || unit == "kbit/s" || unit == "kbps" || unit == "kb/s")
        mult = 1e3;
    else if (unit == "m" || unit == "mbit/s" || unit == "mbps" || unit == "mb/s")
        mult = 1e6;
    else
        return std::nullopt;
    const double bps = parsed->first * mult;
    if (bps > 1e12) return std::nullopt;
    return static_cast<long long>(std::llround(bps));
}

std::string formatBitrate(double bitsPerSecond) {
    if (bitsPerSecond >= 1e6) return human::number(bitsPerSecond / 1e6) + " Mbit/s";
    if (bitsPerSecond >= 1e3) return human::number(bitsPerSecond / 1e3) + " kbit/s";
    return human::number(bitsPerSecond) + " bit/s";
}

std::string formatBytes(unsigned long long bytes) {
    const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) return human::count(static_cast<long long>(bytes), "byte");
    double v = static_cast<double>(bytes) / 1024;
    int u = 0;
    while (v >= 1024 && u < 3) {
        v /= 1024;
        ++u;
    }
    return human::number(v) + " " + units[u];
}

AudioSettings readAudioSettings(const DeclaredOptions& options) {
    AudioSettings s;
    const bool hasDirectory = options.has("directory");
    const bool hasUrl = options.has("url");
    if (hasDirectory == hasUrl)
        options.report(hasUrl ? "url" : "directory",
                       hasUrl ? "give either directory or url, not both (one source per check)"
                              : "is required: give directory (a local HLS folder) or url (an HLS playlist or an Icecast mount)");
    if (hasDirectory) {
        s.directory = options.path("directory");
        const std::string playlist = options.string("playlist", "");
        if (!playlist.empty()) s.playlist = playlist.front() == '/' ? playlist : s.directory + "/" + playlist;
        s.pattern = options.string("pattern", "*.ts");
        if (!s.playlist.empty() && options.has("pattern"))
            options.report("pattern", "does not apply with playlist (the playlist names the segments); remove one of them");
    } else {
        s.url = options.string("url");
        if (!isHttpUrl(s.url))
            options.report("url", "must start with http:// or https:// and name a host (e.g. http://127.0.0.1:8000/live)");
        for (const char* key : {"playlist", "pattern"})
            if (options.has(key)) options.report(key, "only applies with directory");
        s.caFile = options.path("ca_file", "");
        if (!s.caFile.empty() && lower(s.url).compare(0, 8, "https://") != 0)
            options.report("ca_file", "only applies to an https:// url");
        else if (!s.caFile.empty() && ::access(s.caFile.c_str(), R_OK) != 0)
            options.report("ca_file", "cannot read '" + s.caFile + "'");
    }

    const std::string threshold = options.string("threshold", "-50dB");
    auto level = parseLevel(threshold);
    if (!level)
        options.report("threshold", "'" + threshold + "' is not a level (use -50dB, -50 or -50LUFS)");
    else if (*level < -100 || *level > 0)
        options.report("threshold", "'" + threshold + "' is outside -100..0 dB (silence is usually -50dB to -60dB)");
    else
        s.thresholdLufs = *level;

    s.maxSilence = options.duration("max_silence", s.maxSilence);
    if (s.maxSilence.count() <= 0) options.report("max_silence", "must be longer than 0s");
    s.sample = options.duration("sample", s.sample);
    if (s.sample < std::chrono::milliseconds(500) || s.sample > std::chrono::minutes(10))
        options.report("sample", "must be between 500ms and 10m");
    s.maxBytes = options.size("max_bytes", s.maxBytes);
    if (s.maxBytes < (64ULL << 10) || s.maxBytes > (1ULL << 30)) options.report("max_bytes", "must be between 64K and 1G");

    s.codec = lower(options.string("codec", ""));
    if (!s.codec.empty()) {
        const AVCodecDescriptor* d = avcodec_descriptor_get_by_name(s.codec.c_str());
        if (d == nullptr || d->type != AVMEDIA_TYPE_AUDIO)
            options.report("codec", "'" + s.codec + "' is not an audio codec FFmpeg knows (e.g. aac, mp3, opus, vorbis, flac)");
    }
    if (options.has("sample_rate")) s.sampleRate = static_cast<int>(options.integer("sample_rate", 44100, 8000, 384000));
    if (options.has("channels")) s.channels = static_cast<int>(options.integer("channels", 2, 1, 8));
    const std::string minBitrate = options.string("min_bitrate", "");
    if (!minBitrate.empty()) {
        auto bps = parseBitrate(minBitrate);
        if (!bps || *bps <= 0)
            options.report("min_bitrate", "'" + minBitrate + "' is not a bitrate (use 96k, 128kbit/s or 96000)");
        else
            s.minBitrate = *bps;
    }
    return s;
}

}  // namespace watchdog::audio
