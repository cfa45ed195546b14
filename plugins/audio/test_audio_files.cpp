// Integration tests on real encoder output (made by the ffmpeg program) read from disk and over HTTP,
// and on bad input: HTML instead of audio, a server that never sends a byte, undecodable, corrupt and
// truncated segments, a 1 GB "segment".
#include "AudioCheck.h"
#include "AudioFixtures.h"

#include "DetailOf.h"
#include "TestSupport.h"
#include "TrickleServer.h"
#include <watchdog/testing/PluginTestKit.h>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <doctest/doctest.h>

#include <atomic>
#include <fcntl.h>
#include <fstream>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

using namespace watchdog;
using namespace watchdog::audio;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<AudioCheck> makeCheck(const std::string& yaml) { return configure<AudioCheck>(yaml, "checks.audio", "/tmp"); }

Result runOnce(AudioCheck& check, std::chrono::milliseconds timeout = 5s) {
    std::atomic<bool> cancelled{false};
    return check.run(CheckContext{"audio", "Audio", timeout, timeout, &cancelled});
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Serves the files of a folder; "/missing" answers 404. Playlists and segments get their MIME types.
LocalHttpServer::Handler serveFolder(const std::string& folder) {
    return [folder](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        const std::string body = readFile(folder + request.getURI());
        if (body.empty()) {
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            response.send() << "not found";
            return;
        }
        const std::string& uri = request.getURI();
        response.setContentType(contains(uri, ".m3u8")  ? "application/vnd.apple.mpegurl"
                                : contains(uri, ".mp3") ? "audio/mpeg"
                                                        : "video/mp2t");
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.send() << body;
    };
}

long maxRssMiB() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

// A fixture of 10 s of tone, made once for the tests that only read it.
const std::string& toneHls() {
    static TempDir dir;
    static bool made = false;
    if (!made) {
        encodeHls(dir.file("hls"), 10);
        dir.write("hls/master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=140000,CODECS=\"mp4a.40.2\"\nlive.m3u8\n");
        made = true;
    }
    static const std::string path = dir.file("hls");
    return path;
}

}  // namespace

TEST_CASE("10 s of 128 kbit/s AAC tone through the playlist: passes with its level and format") {
    auto check =
        makeCheck("directory: " + toneHls() + "\nplaylist: live.m3u8\ncodec: aac\nsample_rate: 44100\nchannels: 2\nmin_bitrate: 96k\n");
    Result r = runOnce(*check);
    CHECK_MESSAGE(statusOf(r) == "pass", r.summary);
    CHECK(contains(r.summary, "sound at -"));
    REQUIRE(r.value);
    // ffmpeg's sine is 1/8 of full scale (-18 dBFS), made stereo at -3 dB per channel: -21 dBFS peak.
    CHECK(*r.value > -24);
    CHECK(*r.value < -18);
    CHECK(r.unit == "LUFS");
    CHECK(detailOf(r.details, "codec") == "aac");
    CHECK(detailOf(r.details, "sample rate") == "44100 Hz");
    CHECK(detailOf(r.details, "channels") == "2");
    CHECK(contains(detailOf(r.details, "bitrate"), "kbit/s (measured)"));
    CHECK_MESSAGE((contains(detailOf(r.details, "peak"), "-21") || contains(detailOf(r.details, "peak"), "-20")),
                  detailOf(r.details, "peak"));
    CHECK(detailOf(r.details, "silence") == "none");
    CHECK_MESSAGE(contains(detailOf(r.details, "decoded"), "10.0 s from 6 new segments"), detailOf(r.details, "decoded"));

    // Nothing new since: the run decodes nothing and says so.
    Result again = runOnce(*check);
    CHECK(statusOf(again) == "pass");
    CHECK(contains(again.summary, "no new segment since the last run; sound at"));
}

TEST_CASE("expectations that do not match fail with what was found") {
    auto check =
        makeCheck("directory: " + toneHls() + "\nplaylist: live.m3u8\ncodec: mp3\nsample_rate: 48000\nchannels: 1\nmin_bitrate: 256k\n");
    Result r = runOnce(*check);
    CHECK(statusOf(r) == "fail");
    CHECK(contains(r.summary, "codec aac, expected mp3; sample rate 44100 Hz, expected 48000 Hz; 2 channels, expected 1; bitrate "));
    CHECK(contains(r.summary, "below min_bitrate 256 kbit/s"));
}

TEST_CASE("a tone that turns to silence: dead air once the silence is longer than max_silence") {
    TempDir dir;
    // One-second segments: a second of silent AAC is 8 transport packets, too few for FFmpeg's probe.
    encodeHls(dir.file("hls"), 12, 1, 6);
    REQUIRE(readFile(dir.file("hls/seg009.ts")).size() < 188 * 10);
    auto strict = makeCheck("directory: " + dir.file("hls") + "\nplaylist: live.m3u8\nmax_silence: 3s\n");
    Result r = runOnce(*strict);
    CHECK(statusOf(r) == "fail");
    // 6 s of silence, less the 400 ms the momentary window takes to empty of the tone.
    CHECK_MESSAGE(contains(r.summary, "dead air: silent for 5.6 s"), r.summary);
    CHECK(contains(r.summary, "longer than max_silence 3 s"));
    CHECK(*r.value == -120);
    auto patient = makeCheck("directory: " + dir.file("hls") + "\nplaylist: live.m3u8\nmax_silence: 1m\n");
    Result p = runOnce(*patient);
    CHECK(statusOf(p) == "pass");
    CHECK_MESSAGE(contains(p.summary, "silent for 5.6 s"), p.summary);
}

TEST_CASE("over HTTP: a master playlist's first variant, and a plain MP3 stream") {
    encodeFile(toneHls() + "/tone.mp3", 10, "-c:a libmp3lame -b:a 64k");
    LocalHttpServer server(serveFolder(toneHls()));
    auto hls = makeCheck("url: " + server.url() + "/master.m3u8\ncodec: aac\n");
    Result r = runOnce(*hls);
    CHECK_MESSAGE(statusOf(r) == "pass", r.summary);
    CHECK_MESSAGE(contains(detailOf(r.details, "decoded"), "10.0 s from 6 new segments"), detailOf(r.details, "decoded"));
    CHECK(detailOf(r.details, "source") == server.url() + "/master.m3u8");

    auto mp3 = makeCheck("url: " + server.url() + "/tone.mp3\nsample: 2s\ncodec: mp3\nmin_bitrate: 64k\n");
    Result m = runOnce(*mp3);
    CHECK_MESSAGE(statusOf(m) == "pass", m.summary);
    CHECK(detailOf(m.details, "bitrate") == "64 kbit/s");  // declared by the MP3 frame headers
    CHECK(contains(detailOf(m.details, "source"), "sample of " + server.url() + "/tone.mp3"));
}

TEST_CASE("an HTML page instead of audio is an error saying so") {
    LocalHttpServer server([](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
        response.setContentType("text/html; charset=utf-8");
        response.send() << "<!DOCTYPE html><html><body>Station offline</body></html>";
    });
    Result r = runOnce(*makeCheck("url: " + server.url() + "/live\n"));
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == server.url() + "/live sent an HTML page (text/html; charset=utf-8), not audio");
}

TEST_CASE("a server that never sends a byte is an error within the check's timeout") {
    std::atomic<bool> release{false};
    LocalHttpServer server([&release](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) {
        for (int i = 0; i < 1000 && !release; ++i) std::this_thread::sleep_for(10ms);
    });
    struct Release {
        std::atomic<bool>& flag;
        ~Release() { flag = true; }
    } releaseFirst{release};
    Result r = runOnce(*makeCheck("url: " + server.url() + "/live\n"), 1s);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "cannot open " + server.url() + "/live: no data within 900 ms");
}

TEST_CASE("a server that trickles its answer a byte at a time cannot stretch the run past its timeout") {
    const std::string answer = TrickleServer::okAnswer(std::string(4096, 'x'), "audio/mpeg");
    for (std::size_t atOnce : {std::size_t{0}, TrickleServer::statusLineLength(answer), TrickleServer::headLength(answer) + 10}) {
        CAPTURE(atOnce);
        TrickleServer server({answer, atOnce, 100ms, 0});
        const Result r = runOnce(*makeCheck("url: " + server.url() + "/live\n"), 1s);
        CHECK(statusOf(r) == "error");
        // Cut while opening ("cannot open URL: no data within 900 ms") or while decoding the body.
        const std::string url = server.url() + "/live: ";
        const bool opening = atOnce < TrickleServer::headLength(answer);
        CHECK(r.summary == (opening ? "cannot open " + url + "no data within 900 ms" : url + "timed out after 900 ms"));
        CHECK(server.bytesSent() < answer.size());
    }
}

TEST_CASE("refused connections and missing pages name the URL and the reason") {
    const int port = freeLoopbackPort();
    Result refused = runOnce(*makeCheck("url: http://127.0.0.1:" + std::to_string(port) + "/live\n"));
    CHECK(statusOf(refused) == "error");
    CHECK(refused.summary == "cannot open http://127.0.0.1:" + std::to_string(port) + "/live: Connection refused");
    LocalHttpServer server(serveFolder(toneHls()));
    Result missing = runOnce(*makeCheck("url: " + server.url() + "/missing\n"));
    CHECK(missing.summary == "cannot open " + server.url() + "/missing: Server returned 404 Not Found");
}

TEST_CASE("undecodable, corrupt and truncated segments are errors with the reason") {
    TempDir dir;
    encodeHls(dir.file("hls"), 4);
    const std::string good = readFile(dir.file("hls/seg001.ts"));
    REQUIRE(good.size() > 10000);
    auto withLastSegment = [&](const std::string& bytes) {
        dir.write("hls/seg001.ts", bytes);
        return runOnce(*makeCheck("directory: " + dir.file("hls") + "\nplaylist: live.m3u8\n"));
    };
    std::string noise(good.size(), '\0');
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919 + 13) % 251);
    Result garbage = withLastSegment(noise);
    CHECK(statusOf(garbage) == "error");
    CHECK(garbage.summary == dir.file("hls/seg001.ts") + " is not audio FFmpeg can read: Invalid data found when processing input");

    // Transport packets intact, the AAC inside overwritten.
    std::string corrupt = good;
    for (std::size_t p = 188 * 4; p + 188 <= corrupt.size(); p += 188)
        for (std::size_t i = p + 20; i < p + 188; ++i) corrupt[i] = static_cast<char>(i * 31);
    Result broken = withLastSegment(corrupt);
    CHECK(statusOf(broken) == "error");
    CHECK_MESSAGE(contains(broken.summary, "could not be decoded"), broken.summary);

    Result truncated = withLastSegment(good.substr(0, good.size() / 2 + 77));
    CHECK(statusOf(truncated) == "error");
    CHECK(truncated.summary == dir.file("hls/seg001.ts") + " is truncated: " + std::to_string(good.size() / 2 + 77) +
                                   " bytes is not a whole number of 188-byte transport stream packets");
}

TEST_CASE("a segment cut short by the server is an error, not a shorter segment") {
    TempDir dir;
    encodeHls(dir.file("hls"), 4);
    const std::string good = readFile(dir.file("hls/seg001.ts"));
    LocalHttpServer server([&](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        const std::string body = readFile(dir.file("hls") + request.getURI());
        response.setKeepAlive(false);
        if (request.getURI() == "/seg001.ts") {
            response.setContentLength(static_cast<std::streamsize>(body.size()));
            response.send() << body.substr(0, 188 * 20);  // then the connection closes
            return;
        }
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.send() << body;
    });
    Result r = runOnce(*makeCheck("url: " + server.url() + "/live.m3u8\n"));
    CHECK(statusOf(r) == "error");
    CHECK_MESSAGE(contains(r.summary, server.url() + "/seg001.ts: "), r.summary);
    CHECK_MESSAGE(contains(r.summary, "Stream ends prematurely"), r.summary);
}

TEST_CASE("a 1 GB segment is never read whole: max_bytes stops it, memory stays bounded") {
    TempDir dir;
    encodeHls(dir.file("hls"), 2, 2);
    const std::string segment = readFile(dir.file("hls/seg000.ts"));
    const unsigned long long claimed = 1ULL << 30;
    std::atomic<unsigned long long> sent{0};
    LocalHttpServer server([&](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        if (request.getURI() != "/seg000.ts") {
            const std::string body = readFile(dir.file("hls") + request.getURI());
            response.send() << body;
            return;
        }
        response.setContentLength64(static_cast<Poco::Int64>(claimed));
        std::ostream& out = response.send();
        // The same real segment over and over: it decodes as audio all the way.
        while (out && sent < claimed) {
            out.write(segment.data(), static_cast<std::streamsize>(segment.size()));
            sent += segment.size();
        }
    });
    const long rssBefore = maxRssMiB();
    Result r = runOnce(*makeCheck("url: " + server.url() + "/live.m3u8\nmax_bytes: 4M\n"), 10s);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == server.url() + "/seg000.ts: stopped after reading max_bytes (4 MiB in this run)");
    CHECK(maxRssMiB() - rssBefore < 64);

    // On disk, the size is known first: the file is not even opened.
    TempDir local;
    const int fd = ::open(local.file("seg000.ts").c_str(), O_WRONLY | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, static_cast<off_t>(claimed)) == 0);  // sparse: no disk used
    ::close(fd);
    local.write("live.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg000.ts\n");
    Result big = runOnce(*makeCheck("directory: " + local.path() + "\nplaylist: live.m3u8\n"));
    CHECK(statusOf(big) == "error");
    CHECK(big.summary == local.file("seg000.ts") + " is 1 GiB, more than max_bytes (16 MiB): not read");
}
