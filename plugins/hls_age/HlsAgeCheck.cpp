#include "HlsAgeCheck.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <system_error>

namespace watchdog::hls_age {

namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

milliseconds ageOf(TimePoint now, TimePoint mtime) {
    // A file stamped in the future (clock step, another host's NFS clock) is taken as brand new.
    return mtime > now ? milliseconds(0) : std::chrono::duration_cast<milliseconds>(now - mtime);
}

std::string baseName(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parentOf(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

/// What a run found so far: the problems (each fails the check), the pass summary, the details.
struct Findings {
    std::vector<std::string> problems;
    std::string seen;
    Details details;
};

/// Judges the oldest and newest matching segment; returns the oldest one's age (0 with none).
milliseconds judgeSegments(const HlsAgeSettings& s, const HlsAgeScan& scan, TimePoint now, Findings& f) {
    milliseconds oldestAge{0};
    if (scan.matching == 0) {
        f.seen = "no files matching " + s.pattern;
        if (s.newestMaxAge > milliseconds(0)) f.problems.push_back(f.seen + " in " + s.directory);
    } else {
        oldestAge = ageOf(now, scan.oldest.mtime);
        milliseconds newestAge = ageOf(now, scan.newest.mtime);
        f.seen = human::count(scan.matching, "file") + " matching " + s.pattern + ": oldest " + human::duration(oldestAge) + ", newest " +
                 human::duration(newestAge);
        f.details.emplace_back("oldest", scan.oldest.name + " (" + human::duration(oldestAge) + ")");
        f.details.emplace_back("newest", scan.newest.name + " (" + human::duration(newestAge) + ")");
        if (oldestAge > s.maxAge)
            f.problems.push_back("oldest file " + scan.oldest.name + " is " + human::duration(oldestAge) + " old (max_age " +
                                 human::duration(s.maxAge) + ")");
        if (s.newestMaxAge > milliseconds(0) && newestAge > s.newestMaxAge)
            f.problems.push_back("newest file " + scan.newest.name + " is " + human::duration(newestAge) + " old (newest_max_age " +
                                 human::duration(s.newestMaxAge) + "): the encoder stopped writing");
    }
    f.details.emplace_back("files", std::to_string(scan.matching));
    return oldestAge;
}

/// The playlist's local segments that do not exist; `checked` counts the local ones.
std::vector<std::string> missingSegments(const std::string& playlist, const std::string& text, std::size_t& checked) {
    std::vector<std::string> missing;
    const std::string folder = parentOf(playlist);
    for (const auto& uri : playlistSegments(text)) {
        if (uri.find("://") != std::string::npos) continue;  // served from elsewhere: not ours to stat
        // A leading '/' is a URL path on the web server, not a file path: look for the name beside the playlist.
        std::string file = uri.front() == '/' ? folder + "/" + baseName(uri) : folder + "/" + uri;
        ++checked;
        struct stat seg {};
        if (::stat(file.c_str(), &seg) != 0) missing.push_back(uri);
    }
    return missing;
}

/// Judges the playlist's age and the segments it lists; an unreadable playlist is the error returned.
std::optional<Result> judgePlaylist(const HlsAgeSettings& s, TimePoint now, Findings& f) {
    const std::string name = baseName(s.playlist);
    struct stat st {};
    std::ifstream in;
    if (::stat(s.playlist.c_str(), &st) != 0) {
        if (errno != ENOENT) return Result::error("cannot read playlist " + s.playlist + ": " + std::strerror(errno));
        f.problems.push_back("playlist " + name + " is missing");
        return std::nullopt;
    }
    if (in.open(s.playlist), !in) return Result::error("cannot read playlist " + s.playlist + ": " + std::strerror(errno));
    auto mtime = TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(st.st_mtim.tv_sec) +
                                                                           std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    milliseconds age = ageOf(now, mtime);
    f.details.emplace_back("playlist age", human::duration(age));
    if (age > s.playlistMaxAge)
        f.problems.push_back("playlist " + name + " not updated for " + human::duration(age) + " (playlist_max_age " +
                             human::duration(s.playlistMaxAge) + ")");
    std::stringstream text;
    text << in.rdbuf();
    std::size_t checked = 0;
    const std::vector<std::string> missing = missingSegments(s.playlist, text.str(), checked);
    f.details.emplace_back("playlist segments", std::to_string(checked));
    if (!missing.empty()) {
        std::string list;
        for (std::size_t i = 0; i < missing.size() && i < 3; ++i) list += (i ? ", " : "") + missing[i];
        if (missing.size() > 3) list += ", ...";
        f.problems.push_back("playlist " + name + " lists " + human::count(static_cast<long long>(missing.size()), "missing segment") +
                             " (" + list + ")");
    }
    f.seen += "; playlist " + human::duration(age) + " old, " + std::to_string(checked - missing.size()) + " of " +
              std::to_string(checked) + " segments present";
    return std::nullopt;
}

}  // namespace

void HlsAgeCheck::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    HlsAgeSettings s;
    s.directory = options.path("directory");
    s.pattern = options.string("pattern");
    s.exclude = options.stringList("exclude");
    s.maxAge = options.duration("max_age");
    if (s.maxAge <= milliseconds(0)) options.report("max_age", "must be positive (e.g. 15m)");
    s.newestMaxAge = options.duration("newest_max_age", milliseconds(0));
    if (options.has("newest_max_age") && s.newestMaxAge <= milliseconds(0)) options.report("newest_max_age", "must be positive (e.g. 30s)");
    std::string playlist = options.string("playlist", "");
    if (!playlist.empty()) s.playlist = playlist.front() == '/' ? playlist : s.directory + "/" + playlist;
    if (options.has("playlist_max_age")) {
        if (s.playlist.empty()) options.report("playlist_max_age", "only applies with playlist (e.g. playlist: live.m3u8)");
        s.playlistMaxAge = options.duration("playlist_max_age");
        if (s.playlistMaxAge <= milliseconds(0)) options.report("playlist_max_age", "must be positive (e.g. 30s)");
    } else if (s.newestMaxAge > milliseconds(0)) {
        s.playlistMaxAge = s.newestMaxAge;
    }
    settings_ = std::move(s);
}

Result HlsAgeCheck::run(const CheckContext&) { return runAt(std::chrono::system_clock::now()); }

Result HlsAgeCheck::runAt(TimePoint now) const {
    const HlsAgeSettings& s = settings_;
    HlsAgeScan scan;
    try {
        scan = scanAges(s.directory, s.pattern, s.exclude);
    } catch (const std::system_error& e) {
        return Result::error(e.what());
    }
    Findings f;
    const milliseconds oldestAge = judgeSegments(s, scan, now, f);
    if (!s.playlist.empty())
        if (auto error = judgePlaylist(s, now, f)) return *error;

    Result r;
    if (f.problems.empty()) {
        r = Result::pass(f.seen + (scan.matching > 0 ? " (max_age " + human::duration(s.maxAge) + ")" : ""));
    } else {
        std::string text;
        for (const auto& p : f.problems) text += (text.empty() ? "" : "; ") + p;
        r = Result::fail(text);
    }
    r.withValue(static_cast<double>(oldestAge.count()) / 1000.0, "s");
    r.details = std::move(f.details);
    return r;
}

}  // namespace watchdog::hls_age

WATCHDOG_CHECK_PLUGIN(watchdog::hls_age::HlsAgeCheck)
