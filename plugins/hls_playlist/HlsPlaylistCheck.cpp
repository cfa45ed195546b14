#include "HlsPlaylistCheck.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <Poco/Exception.h>

#include <algorithm>
#include <set>
#include <unistd.h>

namespace watchdog::hls_playlist {

namespace {

using SteadyClock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
    return out;
}

// "NAME is an HTML page ...", "NAME: line 3: ...".
std::string named(const std::string& name, const std::string& message) {
    return name + (message.rfind("line ", 0) == 0 ? ": " : " ") + message;
}

bool playlistContentType(const std::string& type) {
    const std::string t = type.substr(0, type.find(';'));
    return t.empty() || t == "application/vnd.apple.mpegurl" || t == "application/x-mpegurl" || t == "audio/mpegurl" ||
           t == "audio/x-mpegurl";
}

HlsPlaylist parseFetched(const HlsFetchedText& text, const std::string& name) {
    try {
        return parseHlsPlaylist(text.body);
    } catch (const HlsPlaylistError& e) {
        std::string message = named(name, e.what());
        if (!playlistContentType(text.contentType)) message += " (Content-Type " + printableExcerpt(text.contentType) + ")";
        throw HlsPlaylistError(message);
    }
}

Poco::URI resolved(const Poco::URI& base, const std::string& reference) {
    Poco::URI out(base);
    out.resolve(reference);
    return out;
}

}  // namespace

void HlsPlaylistCheck::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    HlsPlaylistSettings s;
    const bool hasPath = options.has("path"), hasUrl = options.has("url");
    if (hasPath && hasUrl) options.report("url", "give either path (a local playlist) or url, not both");
    if (!hasPath && !hasUrl)
        options.report("path", "required: path (a local .m3u8, e.g. /var/www/hls/live.m3u8) or url (http:// or https://)");
    if (hasPath) {
        const std::string path = options.path("path");
        s.uri.setScheme("file");
        s.uri.setPath(path);
        s.shownAs = path;
    } else {
        const std::string url = options.string("url");
        try {
            s.uri = Poco::URI(url);
        } catch (const Poco::Exception& e) {
            options.report("url", "'" + url + "' is not a URL (" + e.message() + ")");
        }
        if (s.uri.getScheme() != "http" && s.uri.getScheme() != "https")
            options.report("url", "must start with http:// or https:// (for a local file use path)");
        if (s.uri.getHost().empty()) options.report("url", "has no host (e.g. https://radio.example.org/hls/live.m3u8)");
        if (!s.uri.getUserInfo().empty()) options.report("url", "must not carry credentials");
        s.uri.setFragment("");
        s.shownAs = s.uri.toString();
    }
    if (options.has("max_stall")) {
        s.maxStall = options.duration("max_stall");
        if (s.maxStall.count() <= 0) options.report("max_stall", "must be more than 0 (leave it out for 3 x #EXT-X-TARGETDURATION)");
    }
    s.checkSegments = static_cast<int>(options.integer("check_segments", 3, 0, 1000));
    s.maxBytes = options.size("max_bytes", 1ULL << 20);
    if (s.maxBytes < 1024) options.report("max_bytes", "must be at least 1K");
    s.caFile = options.path("ca_file", "");
    if (!s.caFile.empty()) {
        if (s.uri.getScheme() != "https") options.report("ca_file", "only applies to an https:// url");
        if (::access(s.caFile.c_str(), R_OK) != 0) options.report("ca_file", "cannot read '" + s.caFile + "'");
    }
    settings_ = std::move(s);
    tls_.reset();
    progress_.clear();
    if (settings_.uri.getScheme() == "https") {
        try {
            tlsContext();
        } catch (const HlsFetchError& e) {
            options.report(settings_.caFile.empty() ? "url" : "ca_file", e.what());
        }
    }
}

common::TlsContextPtr HlsPlaylistCheck::tlsContext() {
    if (tls_) return tls_;
    try {
        tls_ = common::newTlsClientContext(settings_.caFile);
    } catch (const Poco::Exception& e) {
        tls_.reset();
        throw HlsFetchError("cannot set up TLS: " + e.displayText());
    }
    return tls_;
}

Result HlsPlaylistCheck::run(const CheckContext& context) { return runAt(context, SteadyClock::now()); }

Result HlsPlaylistCheck::runAt(const CheckContext& context, SteadyClock::time_point now) {
    // Answer a little before the scheduler's own timeout, so that our reason is the one reported.
    const Ms timeout = std::max(context.timeout, Ms(1));
    const Ms budget = timeout - std::min(timeout / 10, Ms(500));
    HlsFetcher fetcher(
        budget, settings_.maxBytes, [this] { return tlsContext(); }, context.cancelled);

    HlsFetchedText root;
    HlsPlaylist top;
    try {
        root = fetcher.fetch(settings_.uri);
        top = parseFetched(root, settings_.shownAs);
    } catch (const std::exception& e) {
        return Result::error(e.what()).detail("playlist", settings_.shownAs);
    }

    std::vector<MediaReport> reports;
    std::size_t unchecked = 0;
    std::set<std::string> seen;
    if (!top.master) {
        reports.push_back(checkMedia(fetcher, settings_.shownAs, root.uri, top, now));
        seen.insert(root.uri.toString());
    } else {
        std::set<std::string> done;
        for (const HlsVariant& v : top.variants) {
            if (!done.insert(v.uri).second) continue;
            if (done.size() > kMaxVariants) {
                ++unchecked;
                continue;
            }
            MediaReport failed;
            failed.name = v.uri;
            failed.status = Status::Error;
            try {
                const Poco::URI uri = resolved(root.uri, v.uri);
                const HlsFetchedText text = fetcher.fetch(uri);
                const HlsPlaylist media = parseFetched(text, v.uri);
                if (media.master) throw HlsPlaylistError(v.uri + " is itself a master playlist (nested masters are not allowed)");
                seen.insert(text.uri.toString());
                reports.push_back(checkMedia(fetcher, v.uri, text.uri, media, now));
                continue;
            } catch (const Poco::SyntaxException&) {
                failed.problems.push_back("'" + printableExcerpt(v.uri) + "' is not a valid URI");
            } catch (const std::exception& e) {
                failed.problems.push_back(e.what());
            }
            failed.detail = failed.problems.front();
            reports.push_back(failed);
        }
    }
    for (auto it = progress_.begin(); it != progress_.end();) it = seen.count(it->first) ? std::next(it) : progress_.erase(it);
    return compose(reports, settings_, top.master, unchecked);
}

HlsPlaylistCheck::MediaReport HlsPlaylistCheck::checkMedia(HlsFetcher& fetcher, const std::string& name, const Poco::URI& uri,
                                                           const HlsPlaylist& playlist, SteadyClock::time_point now) {
    MediaReport r;
    r.name = name;
    r.listed = playlist.segments.size();
    const long long newest = playlist.newestSequence();
    const Ms maxStall = settings_.maxStall.count() > 0 ? settings_.maxStall : Ms(3000 * *playlist.targetDuration);
    const std::string key = uri.toString();

    auto it = progress_.find(key);
    if (it == progress_.end()) {
        progress_[key] = {newest, now};
        r.state = "first look";
    } else if (it->second.newest != newest) {
        const long long moved = newest - it->second.newest;
        r.state = moved > 0 ? "+" + std::to_string(moved) + " since last run"
                            : "went back from #" + std::to_string(it->second.newest) + ": restarted?";
        it->second = {newest, now};
    } else {
        r.unchanged = std::chrono::duration_cast<Ms>(now - it->second.since);
        r.state = "unchanged for " + human::duration(r.unchanged) + ", max_stall " + human::duration(maxStall);
        if (r.unchanged > maxStall && !playlist.endList && !playlist.segments.empty())
            r.problems.push_back("stalled: the newest segment is still #" + std::to_string(newest) + " after " +
                                 human::duration(r.unchanged) + " (max_stall " + human::duration(maxStall) + ")");
    }
    if (playlist.endList)
        r.problems.push_back("has ended (#EXT-X-ENDLIST) at segment #" + std::to_string(newest) + ": no more segments will come");
    if (playlist.segments.empty()) r.problems.push_back("lists no segments");

    try {
        for (auto& p : segmentProblems(fetcher, uri, playlist, r.present)) r.problems.push_back(std::move(p));
    } catch (const HlsFetchError& e) {
        r.status = Status::Error;
        r.problems.push_back(e.what());
    }
    if (!r.problems.empty() && r.status != Status::Error) r.status = Status::Fail;

    const std::string newestName =
        playlist.segments.empty() ? "none" : "#" + std::to_string(newest) + " (" + playlist.segments.back().uri + ")";
    r.state = playlist.segments.empty() ? "no segments" : "newest segment #" + std::to_string(newest) + " (" + r.state + ")";
    r.facts = {{"newest segment", newestName},
               {"segments listed", std::to_string(r.listed)},
               {"target duration", human::duration(Ms(1000 * *playlist.targetDuration))},
               {"unchanged for", human::duration(r.unchanged)},
               {"max_stall", human::duration(maxStall)}};
    r.detail = "newest " + newestName + ", " + human::count(static_cast<long long>(r.listed), "segment") + " listed, target " +
               human::duration(Ms(1000 * *playlist.targetDuration)) + ", " +
               (r.unchanged.count() > 0 ? "unchanged for " + human::duration(r.unchanged) : std::string("advancing")) + " (max_stall " +
               human::duration(maxStall) + ")";
    return r;
}

std::vector<std::string> HlsPlaylistCheck::segmentProblems(HlsFetcher& fetcher, const Poco::URI& uri, const HlsPlaylist& playlist,
                                                           std::size_t& present) {
    present = 0;
    const std::size_t n = std::min(playlist.segments.size(), static_cast<std::size_t>(settings_.checkSegments));
    if (n == 0) return {};
    // The newest N segments, and the init section (#EXT-X-MAP) they need.
    std::vector<std::pair<std::string, std::string>> targets;  // {uri as written, how messages name it}
    std::set<std::string> maps;
    for (std::size_t i = playlist.segments.size() - n; i < playlist.segments.size(); ++i) {
        const HlsSegment& s = playlist.segments[i];
        targets.emplace_back(s.uri, "segment " + s.uri + " (#" + std::to_string(s.sequence) + ")");
        if (!s.mapUri.empty() && maps.insert(s.mapUri).second) targets.emplace_back(s.mapUri, "init section " + s.mapUri);
    }
    auto look = [&](const std::string& written) {
        try {
            return fetcher.probe(resolved(uri, written));
        } catch (const Poco::SyntaxException&) {
            HlsSegmentProbe bad;
            bad.problem = "is not a valid URI";
            return bad;
        }
    };
    std::vector<std::pair<std::string, std::string>> bad;  // {uri as written, problem}
    for (const auto& [written, shown] : targets) {
        HlsSegmentProbe p = look(written);
        if (p.usable)
            ++present;
        else
            bad.emplace_back(written, shown + " " + p.problem);
    }
    if (bad.empty()) return {};
    // The encoder may have rotated the playlist between our read and our look: what it no longer
    // lists is not a problem. Read it once more and look again at what is still listed.
    std::set<std::string> listedNow;
    try {
        for (const auto& s : parseHlsPlaylist(fetcher.fetch(uri).body).segments) {
            listedNow.insert(s.uri);
            if (!s.mapUri.empty()) listedNow.insert(s.mapUri);
        }
    } catch (const std::exception&) {
        for (const auto& [written, shown] : targets) listedNow.insert(written);
    }
    std::vector<std::string> problems;
    for (const auto& [written, problem] : bad) {
        if (!listedNow.count(written)) continue;
        if (look(written).usable) continue;
        problems.push_back(problem);
    }
    return problems;
}

Result HlsPlaylistCheck::compose(const std::vector<MediaReport>& reports, const HlsPlaylistSettings& s, bool master,
                                 std::size_t unchecked) {
    std::vector<std::string> problems, states;
    bool failed = false, errored = false;
    Ms longest{0};
    std::size_t listed = 0, present = 0;  // summed: the summary shows them for a media playlist only
    for (const auto& r : reports) {
        failed = failed || r.status == Status::Fail;
        errored = errored || r.status == Status::Error;
        longest = std::max(longest, r.unchanged);
        listed += r.listed;
        present += r.present;
        for (const auto& p : r.problems) problems.push_back(master ? r.name + ": " + p : p);
        states.push_back(master ? r.name + " " + r.state : r.state);
    }
    Result result;
    if (failed)
        result = Result::fail(join(problems, "; "));
    else if (errored)
        result = Result::error(join(problems, "; "));
    else {
        std::string summary = master ? human::count(static_cast<long long>(reports.size()), "variant") + ": " + join(states, "; ")
                                     : states.front() + ", " + human::count(static_cast<long long>(listed), "segment") + " listed";
        if (!master && s.checkSegments > 0) summary += ", newest " + std::to_string(present) + " present";
        result = Result::pass(summary);
    }
    result.withValue(static_cast<double>(longest.count()) / 1000.0, "s");
    result.detail("playlist", s.shownAs);
    if (master) {
        result.detail("variants",
                      std::to_string(reports.size()) + (unchecked ? " checked, " + std::to_string(unchecked) + " more not checked" : ""));
        for (const auto& r : reports) result.detail(r.name, r.detail);
    } else if (!reports.empty()) {
        for (const auto& [k, v] : reports.front().facts) result.detail(k, v);
    }
    return result;
}

}  // namespace watchdog::hls_playlist

WATCHDOG_CHECK_PLUGIN(watchdog::hls_playlist::HlsPlaylistCheck)
