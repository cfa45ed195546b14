// Unit tests: the playlist parser (ffmpeg's and Liquidsoap's output, masters, hostile text), stall
// tracking on a hand-driven clock, missing and empty segments, option validation.
#include "HlsPlaylistCheck.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include <watchdog/ConfigError.h>

#include <doctest/doctest.h>

#include <cstdio>
#include <sys/stat.h>

using namespace watchdog;
using namespace watchdog::hls_playlist;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<HlsPlaylistCheck> makeCheck(const std::string& yaml) {
    return configure<HlsPlaylistCheck>(yaml, "checks.playlist", "/srv/station");
}

std::string configError(const std::string& yaml) {
    return watchdog::testing::configError<HlsPlaylistCheck>(yaml, "checks.playlist", "/srv/station");
}

const CheckContext kContext{"playlist", "HLS playlist", 1s, 5s, nullptr};

std::string parseError(const std::string& text) {
    try {
        parseHlsPlaylist(text);
    } catch (const HlsPlaylistError& e) {
        return e.what();
    }
    return "no error";
}

// A media playlist as ffmpeg writes it, listing segNNNNN.ts from `first` to `last`.
std::string mediaPlaylist(long long first, long long last, bool endList = false) {
    std::string text = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(first) + "\n";
    for (long long i = first; i <= last; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "seg%05lld.ts", i);
        text += "#EXTINF:1.002667,\n" + std::string(name) + "\n";
    }
    return text + (endList ? "#EXT-X-ENDLIST\n" : "");
}

// Writes the playlist and its segments (3 bytes each) into dir/sub.
void writeStream(const TempDir& dir, const std::string& sub, long long first, long long last) {
    for (long long i = first; i <= last; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "seg%05lld.ts", i);
        dir.write(sub + name, "ts!");
    }
    dir.write(sub + "live.m3u8", mediaPlaylist(first, last));
}

}  // namespace

TEST_CASE("parses ffmpeg's live media playlist: target duration, media sequence, segments") {
    HlsPlaylist p = parseHlsPlaylist(mediaPlaylist(40, 44));
    CHECK_FALSE(p.master);
    CHECK(p.targetDuration == 1);
    CHECK(p.mediaSequence == 40);
    REQUIRE(p.segments.size() == 5);
    CHECK(p.segments.front().uri == "seg00040.ts");
    CHECK(p.segments.front().sequence == 40);
    CHECK(p.segments.back().sequence == 44);
    CHECK(p.segments.back().duration == doctest::Approx(1.002667));
    CHECK(p.newestSequence() == 44);
    CHECK_FALSE(p.endList);
    CHECK(parseHlsPlaylist(mediaPlaylist(0, 2, true)).endList);
}

TEST_CASE("parses Liquidsoap's output.file.hls media playlist: CRLF, discontinuity sequence, #EXT-X-MAP") {
    const std::string text =
        "#EXTM3U\r\n#EXT-X-TARGETDURATION:2\r\n#EXT-X-VERSION:7\r\n#EXT-X-MEDIA-SEQUENCE:17\r\n"
        "#EXT-X-DISCONTINUITY-SEQUENCE:0\r\n#EXT-X-MAP:URI=\"aac_hifi_16.mp4\"\r\n#EXTINF:2.000,\r\naac_hifi_17.m4s\r\n"
        "#EXTINF:2.000,\r\naac_hifi_18.m4s\r\n";
    HlsPlaylist p = parseHlsPlaylist(text);
    CHECK(p.targetDuration == 2);
    REQUIRE(p.segments.size() == 2);
    CHECK(p.segments[0].uri == "aac_hifi_17.m4s");
    CHECK(p.segments[1].sequence == 18);
    CHECK(p.segments[1].mapUri == "aac_hifi_16.mp4");
}

TEST_CASE("parses a master playlist: streams with quoted attributes, renditions with a URI, no I-frame playlists") {
    const std::string text =
        "\xEF\xBB\xBF#EXTM3U\r\n#EXT-X-VERSION:3\r\n"
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"English\",URI=\"audio/en.m3u8\"\r\n"
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Main\"\r\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=67000,CODECS=\"mp4a.40.2,mp4a.40.5\"\r\naac_lofi.m3u8\r\n"
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1000,URI=\"iframes.m3u8\"\r\n"
        "# a comment\r\n\r\n#EXT-X-STREAM-INF:BANDWIDTH=211000,CODECS=\"mp4a.40.2\"\r\nhttps://cdn.example/hifi.m3u8\r\n";
    HlsPlaylist p = parseHlsPlaylist(text);
    CHECK(p.master);
    REQUIRE(p.variants.size() == 3);
    CHECK(p.variants[0].uri == "audio/en.m3u8");
    CHECK(p.variants[0].tag == "#EXT-X-MEDIA");
    CHECK(p.variants[1].uri == "aac_lofi.m3u8");
    CHECK(p.variants[1].bandwidth == 67000);
    CHECK(p.variants[2].uri == "https://cdn.example/hifi.m3u8");
    CHECK(hlsAttribute("BANDWIDTH=67000,CODECS=\"a,b\",NAME=x", "CODECS") == "a,b");
    CHECK(hlsAttribute("BANDWIDTH=67000,CODECS=\"a,b\",NAME=x", "NAME") == "x");
    CHECK_FALSE(hlsAttribute("BANDWIDTH=67000", "URI"));
}

TEST_CASE("text that is not a usable playlist says what it is and where it breaks") {
    CHECK(parseError("") == "is empty");
    CHECK(parseError("<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>") ==
          "is an HTML page, not an HLS playlist (it begins '<!DOCTYPE html>')");
    CHECK(parseError(std::string("\x1f\x8b\x08\0\0\0", 6)) == "is binary data, not an HLS playlist");
    CHECK(parseError("hello world\n") == "is not an HLS playlist: the first line is 'hello world', not #EXTM3U");
    CHECK(parseError("#EXTM3U\n#EXTINF:1,\nseg1.ts\n") == "has no #EXT-X-TARGETDURATION (a media playlist needs one)");
    CHECK(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:one\n") == "line 2: #EXT-X-TARGETDURATION needs whole seconds, not 'one'");
    CHECK(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:-1,\nseg1.ts\n") ==
          "line 3: #EXTINF needs a duration in seconds, not '-1'");
    CHECK(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:1\nseg1.ts\n") == "line 3: segment URI 'seg1.ts' has no #EXTINF before it");
    CHECK(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n") == "ends with an #EXTINF that has no segment URI after it");
    CHECK(parseError("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXT-X-TARGETDURATION:1\n") ==
          "mixes master playlist tags (#EXT-X-STREAM-INF, line 2) with media playlist tags (#EXT-X-TARGETDURATION, line 4)");
    CHECK(parseError("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n") == "line 2: #EXT-X-STREAM-INF has no URI line after it");
    CHECK(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nseg\x01.ts\n#EXT-X-MEDIA-SEQUENCE:3\n") ==
          "line 5: #EXT-X-MEDIA-SEQUENCE after the first segment");
}

TEST_CASE("a local media playlist: first look passes, advancing passes, standing still past max_stall fails") {
    TempDir dir;
    writeStream(dir, "", 10, 14);
    auto check = makeCheck("path: " + dir.file("live.m3u8") + "\n");
    const auto t0 = std::chrono::steady_clock::now();

    Result first = check->runAt(kContext, t0);
    CHECK(statusOf(first) == "pass");
    CHECK(first.summary == "newest segment #14 (first look), 5 segments listed, newest 3 present");
    CHECK(first.value == 0);
    CHECK(first.unit == "s");
    CHECK(first.details == Details{{"playlist", dir.file("live.m3u8")},
                                   {"newest segment", "#14 (seg00014.ts)"},
                                   {"segments listed", "5"},
                                   {"target duration", "1 s"},
                                   {"unchanged for", "0 ms"},
                                   {"max_stall", "3 s"}});

    writeStream(dir, "", 12, 16);
    Result moved = check->runAt(kContext, t0 + 1s);
    CHECK(statusOf(moved) == "pass");
    CHECK(moved.summary == "newest segment #16 (+2 since last run), 5 segments listed, newest 3 present");

    Result still = check->runAt(kContext, t0 + 3s);
    CHECK(statusOf(still) == "pass");
    CHECK(still.summary == "newest segment #16 (unchanged for 2 s, max_stall 3 s), 5 segments listed, newest 3 present");
    CHECK(still.value == 2);

    Result stalled = check->runAt(kContext, t0 + 4500ms);
    CHECK(statusOf(stalled) == "fail");
    CHECK(stalled.summary == "stalled: the newest segment is still #16 after 3.5 s (max_stall 3 s)");
    CHECK(stalled.value == 3.5);

    writeStream(dir, "", 13, 17);
    CHECK(statusOf(check->runAt(kContext, t0 + 5s)) == "pass");
}

TEST_CASE("max_stall overrides 3 x target duration; a playlist that went back (restart) counts as moving") {
    TempDir dir;
    writeStream(dir, "", 10, 14);
    auto check = makeCheck("path: " + dir.file("live.m3u8") + "\nmax_stall: 500ms\ncheck_segments: 0\n");
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(check->runAt(kContext, t0).summary == "newest segment #14 (first look), 5 segments listed");
    CHECK(check->runAt(kContext, t0 + 600ms).summary == "stalled: the newest segment is still #14 after 600 ms (max_stall 500 ms)");
    writeStream(dir, "", 0, 1);
    Result restarted = check->runAt(kContext, t0 + 700ms);
    CHECK(statusOf(restarted) == "pass");
    CHECK(restarted.summary == "newest segment #1 (went back from #14: restarted?), 2 segments listed");
}

TEST_CASE("a missing or empty listed segment fails, naming it; an #EXT-X-ENDLIST or an empty list fails") {
    TempDir dir;
    writeStream(dir, "", 10, 14);
    REQUIRE(std::remove(dir.file("seg00013.ts").c_str()) == 0);
    dir.write("seg00014.ts", "");
    auto check = makeCheck("path: " + dir.file("live.m3u8") + "\n");
    Result r = check->runAt(kContext, std::chrono::steady_clock::now());
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "segment seg00013.ts (#13) is missing: No such file or directory; segment seg00014.ts (#14) is empty (0 bytes)");

    // Only the newest check_segments are looked at.
    REQUIRE(std::remove(dir.file("seg00010.ts").c_str()) == 0);
    dir.write("seg00013.ts", "ts!");
    dir.write("seg00014.ts", "ts!");
    CHECK(statusOf(check->runAt(kContext, std::chrono::steady_clock::now())) == "pass");

    dir.write("live.m3u8", mediaPlaylist(10, 14, true));
    Result ended = check->runAt(kContext, std::chrono::steady_clock::now());
    CHECK(statusOf(ended) == "fail");
    CHECK(ended.summary == "has ended (#EXT-X-ENDLIST) at segment #14: no more segments will come");

    dir.write("live.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n");
    CHECK(check->runAt(kContext, std::chrono::steady_clock::now()).summary == "lists no segments");
}

TEST_CASE("#EXT-X-MAP init sections are looked at with the segments") {
    TempDir dir;
    dir.write("init.mp4", "");
    dir.write("a1.m4s", "x");
    dir.write("live.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.0,\na1.m4s\n");
    Result r = makeCheck("path: " + dir.file("live.m3u8") + "\n")->runAt(kContext, std::chrono::steady_clock::now());
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "init section init.mp4 is empty (0 bytes)");
}

TEST_CASE("a local master playlist checks every variant; one stalled variant fails by name") {
    TempDir dir;
    writeStream(dir, "low/", 1, 5);
    writeStream(dir, "high/", 3, 7);
    dir.write("master.m3u8",
              "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=64000\nlow/live.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=128000\nhigh/live.m3u8\n");
    auto check = makeCheck("path: " + dir.file("master.m3u8") + "\n");
    const auto t0 = std::chrono::steady_clock::now();
    Result first = check->runAt(kContext, t0);
    CHECK(statusOf(first) == "pass");
    CHECK(first.summary == "2 variants: low/live.m3u8 newest segment #5 (first look); high/live.m3u8 newest segment #7 (first look)");
    REQUIRE(first.details.size() == 4);
    CHECK(first.details[1] == std::make_pair(std::string("variants"), std::string("2")));
    CHECK(first.details[2].first == "low/live.m3u8");
    CHECK(first.details[2].second == "newest #5 (seg00005.ts), 5 segments listed, target 1 s, advancing (max_stall 3 s)");

    writeStream(dir, "high/", 4, 8);
    Result r = check->runAt(kContext, t0 + 3500ms);
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "low/live.m3u8: stalled: the newest segment is still #5 after 3.5 s (max_stall 3 s)");
    CHECK(r.value == 3.5);

    REQUIRE(std::remove(dir.file("high/live.m3u8").c_str()) == 0);
    writeStream(dir, "low/", 2, 6);
    Result gone = check->runAt(kContext, t0 + 4s);
    CHECK(statusOf(gone) == "error");
    CHECK(gone.summary == "high/live.m3u8: cannot read " + dir.file("high/live.m3u8") + ": No such file or directory");
}

TEST_CASE("an unreadable, non-regular, oversized or unparsable local playlist is an error naming it") {
    TempDir dir;
    auto missing = makeCheck("path: " + dir.file("live.m3u8") + "\n");
    Result r = missing->run(kContext);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "cannot read " + dir.file("live.m3u8") + ": No such file or directory");

    REQUIRE(::mkfifo(dir.file("fifo.m3u8").c_str(), 0644) == 0);
    CHECK(makeCheck("path: " + dir.file("fifo.m3u8") + "\n")->run(kContext).summary ==
          "cannot read " + dir.file("fifo.m3u8") + ": not a regular file");

    dir.write("big.m3u8", "#EXTM3U\n" + std::string(2000, '#'));
    CHECK(makeCheck("path: " + dir.file("big.m3u8") + "\nmax_bytes: 1K\n")->run(kContext).summary ==
          dir.file("big.m3u8") + " is larger than max_bytes 1K (2008 bytes)");

    dir.write("page.m3u8", "<html><body>Not here</body></html>\n");
    CHECK(makeCheck("path: " + dir.file("page.m3u8") + "\n")->run(kContext).summary ==
          dir.file("page.m3u8") + " is an HTML page, not an HLS playlist (it begins '<html><body>Not here</body></html>')");
    dir.write("bad.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:x\n");
    CHECK(makeCheck("path: " + dir.file("bad.m3u8") + "\n")->run(kContext).summary ==
          dir.file("bad.m3u8") + ": line 2: #EXT-X-TARGETDURATION needs whole seconds, not 'x'");
}

TEST_CASE("options: defaults, relative path, and errors with file:line:col") {
    auto check = makeCheck("path: hls/live.m3u8\n");
    CHECK(check->settings().uri.toString() == "file:///srv/station/hls/live.m3u8");
    CHECK(check->settings().shownAs == "/srv/station/hls/live.m3u8");
    CHECK(check->settings().maxStall == 0ms);
    CHECK(check->settings().checkSegments == 3);
    CHECK(check->settings().maxBytes == 1ULL << 20);
    auto remote = makeCheck("url: http://radio.example:8080/hls/live.m3u8\nmax_stall: 20s\ncheck_segments: 0\nmax_bytes: 64K\n");
    CHECK(remote->settings().shownAs == "http://radio.example:8080/hls/live.m3u8");
    CHECK(remote->settings().maxStall == 20s);
    CHECK(remote->settings().checkSegments == 0);
    CHECK(remote->settings().maxBytes == 65536);
    CHECK(makeCheck("url: https://radio.example/hls/master.m3u8#x\n")->settings().shownAs == "https://radio.example/hls/master.m3u8");

    CHECK(
        configError("max_stall: 5s\n") ==
        "pipeline.yaml:1:1: checks.playlist.path: required: path (a local .m3u8, e.g. /var/www/hls/live.m3u8) or url (http:// or https://)");
    CHECK(configError("path: /a.m3u8\nurl: http://x/a.m3u8\n") ==
          "pipeline.yaml:2:6: checks.playlist.url: give either path (a local playlist) or url, not both");
    CHECK(configError("url: ftp://x/a.m3u8\n") ==
          "pipeline.yaml:1:6: checks.playlist.url: must start with http:// or https:// (for a local file use path)");
    CHECK(configError("url: http://user:pw@x/a.m3u8\n") == "pipeline.yaml:1:6: checks.playlist.url: must not carry credentials");
    CHECK(configError("path: /a.m3u8\nmax_stall: 0s\n") ==
          "pipeline.yaml:2:12: checks.playlist.max_stall: must be more than 0 (leave it out for 3 x #EXT-X-TARGETDURATION)");
    CHECK(configError("path: /a.m3u8\ncheck_segments: -1\n").rfind("pipeline.yaml:2:17: checks.playlist.check_segments:", 0) == 0);
    CHECK(configError("path: /a.m3u8\nmax_bytes: 100\n") == "pipeline.yaml:2:12: checks.playlist.max_bytes: must be at least 1K");
    CHECK(configError("url: https://x/a.m3u8\nca_file: /nonexistent.pem\n") ==
          "pipeline.yaml:2:10: checks.playlist.ca_file: cannot read '/nonexistent.pem'");
    CHECK(configError("path: /a.m3u8\nca_file: /etc/hostname\n") ==
          "pipeline.yaml:2:10: checks.playlist.ca_file: only applies to an https:// url");
    CHECK(configError("path: /a.m3u8\nmax_stal: 5s\n").rfind("pipeline.yaml:2:1: checks.playlist: unknown option 'max_stal'", 0) == 0);
}
