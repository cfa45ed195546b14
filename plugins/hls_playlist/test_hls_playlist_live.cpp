// Integration tests: hls_playlist on the HLS output of real ffmpeg processes, read from disk and over
// HTTP from a local server; a paused encoder, a deleted segment, a master with two variants, and
// servers that answer with garbage, HTML, huge bodies or nothing at all.
#include "HlsPlaylistCheck.h"

#include "FfmpegEncoder.h"
#include "TestSupport.h"
#include "TrickleServer.h"
#include <watchdog/testing/PluginTestKit.h>
#include "plugins/PluginLoader.h"

#include <doctest/doctest.h>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sys/stat.h>

using namespace watchdog;
using namespace watchdog::hls_playlist;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

// Quarter-second segments, so that a max_stall of a second tells a paused encoder from a running one.
FfmpegEncoder::Settings quickHls(const std::string& directory) {
    FfmpegEncoder::Settings s = FfmpegEncoder::hlsOnly(directory, 5);
    s.hlsSegmentSeconds = 0.25;
    return s;
}

std::unique_ptr<HlsPlaylistCheck> makeCheck(const std::string& yaml) {
    return configure<HlsPlaylistCheck>(yaml, "checks.playlist", "/tmp");
}

Result runOnce(HlsPlaylistCheck& check, std::chrono::milliseconds timeout = 5s) {
    CheckContext ctx{"playlist", "HLS playlist", 1s, timeout, nullptr};
    return check.run(ctx);
}

// Serves the files of a folder like a plain web server (GET, HEAD; 404 when absent) and counts the
// methods it saw. `refuseHead` answers HEAD with 405, as some CDNs do.
class FolderServer {
public:
    explicit FolderServer(std::string root, bool refuseHead = false)
        : root_(std::move(root)), server_([this, refuseHead](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
              {
                  std::lock_guard<std::mutex> lock(mutex_);
                  methods_.push_back(req.getMethod() + (req.has("Range") ? " " + req.get("Range") : std::string()));
              }
              if (refuseHead && req.getMethod() == "HEAD") {
                  resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED);
                  resp.setContentLength(0);
                  resp.send();
                  return;
              }
              const std::string path = root_ + req.getURI().substr(0, req.getURI().find('?'));
              struct stat st {};
              if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
                  resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
                  resp.send() << "not found";
                  return;
              }
              const bool playlist = path.size() > 5 && path.substr(path.size() - 5) == ".m3u8";
              const std::string type = playlist ? "application/vnd.apple.mpegurl" : "video/mp2t";
              if (req.has("Range") && st.st_size > 0) {
                  resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_PARTIAL_CONTENT);
                  resp.set("Content-Range", "bytes 0-0/" + std::to_string(st.st_size));
                  resp.setContentType(type);
                  resp.setContentLength(1);
                  resp.send() << readFile(path).substr(0, 1);
                  return;
              }
              resp.sendFile(path, type);
          }) {}

    std::string url(const std::string& name) const { return server_.url() + "/" + name; }
    std::vector<std::string> methods() {
        std::lock_guard<std::mutex> lock(mutex_);
        return methods_;
    }

private:
    std::string root_;
    std::mutex mutex_;
    std::vector<std::string> methods_;
    LocalHttpServer server_;
};

// The newest segment ffmpeg lists now ("" if none).
std::string newestListed(const std::string& playlist) {
    std::ifstream in(playlist);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty() && line[0] != '#') last = line;
    return last;
}

}  // namespace

TEST_CASE("real ffmpeg HLS passes while it runs and fails after max_stall once paused (SIGSTOP), on disk and over HTTP") {
    TempDir dir;
    FfmpegEncoder encoder(quickHls(dir.file("hls")));
    REQUIRE_MESSAGE(encoder.waitForSegments(3, 20s), encoder.output());
    FolderServer server(dir.file("hls"));
    auto local = makeCheck("path: " + encoder.playlistPath() + "\nmax_stall: 1s\n");
    auto remote = makeCheck("url: " + server.url("live.m3u8") + "\nmax_stall: 1s\n");

    Result firstLocal = runOnce(*local), firstRemote = runOnce(*remote);
    CHECK_MESSAGE(statusOf(firstLocal) == "pass", firstLocal.summary);
    CHECK_MESSAGE(statusOf(firstRemote) == "pass", firstRemote.summary);
    CHECK(firstLocal.summary.find("(first look)") != std::string::npos);
    CHECK(firstLocal.summary.find("newest 3 present") != std::string::npos);
    CHECK(firstRemote.summary.find("newest 3 present") != std::string::npos);

    // A segment every second: both see the sequence move.
    bool advanced = waitUntil([&] { return runOnce(*local).summary.find("since last run") != std::string::npos; }, 10s, 100ms);
    CHECK_MESSAGE(advanced, encoder.output());
    advanced = waitUntil([&] { return runOnce(*remote).summary.find("since last run") != std::string::npos; }, 10s, 100ms);
    CHECK(advanced);
    const auto methods = server.methods();
    CHECK(methods.front() == "GET");
    CHECK(std::count(methods.begin(), methods.end(), "HEAD") >= 3);

    ::kill(encoder.pid(), SIGSTOP);
    const bool localFailed = waitUntil([&] { return statusOf(runOnce(*local)) == "fail"; }, 10s, 100ms);
    const bool remoteFailed = waitUntil([&] { return statusOf(runOnce(*remote)) == "fail"; }, 10s, 100ms);
    REQUIRE(localFailed);
    REQUIRE(remoteFailed);
    Result stalled = runOnce(*remote);
    CHECK(stalled.summary.rfind("stalled: the newest segment is still #", 0) == 0);
    CHECK(stalled.summary.find("(max_stall 1 s)") != std::string::npos);
    REQUIRE(stalled.value);
    CHECK(*stalled.value > 1);

    ::kill(encoder.pid(), SIGCONT);
    CHECK(waitUntil([&] { return statusOf(runOnce(*local)) == "pass"; }, 10s, 100ms));
}

TEST_CASE("a deleted segment of a real ffmpeg playlist fails naming it, on disk and over HTTP (404)") {
    TempDir dir;
    FfmpegEncoder encoder(FfmpegEncoder::hlsOnly(dir.file("hls"), 5));
    REQUIRE_MESSAGE(encoder.waitForSegments(4, 20s), encoder.output());
    ::kill(encoder.pid(), SIGSTOP);  // hold the playlist still while we break it
    const std::string victim = newestListed(encoder.playlistPath());
    REQUIRE(!victim.empty());
    REQUIRE(std::remove((dir.file("hls") + "/" + victim).c_str()) == 0);

    Result local = runOnce(*makeCheck("path: " + encoder.playlistPath() + "\n"));
    CHECK(statusOf(local) == "fail");
    CHECK(local.summary.rfind("segment " + victim + " (#", 0) == 0);
    CHECK(local.summary.find(") is missing: No such file or directory") != std::string::npos);

    FolderServer server(dir.file("hls"));
    Result remote = runOnce(*makeCheck("url: " + server.url("live.m3u8") + "\n"));
    CHECK(statusOf(remote) == "fail");
    CHECK(remote.summary.find("segment " + victim) == 0);
    CHECK(remote.summary.find(") is missing (HTTP 404 Not Found)") != std::string::npos);
    ::kill(encoder.pid(), SIGCONT);
}

TEST_CASE("a hand-written master over two real ffmpeg outputs: every variant checked, a paused one fails by name") {
    TempDir dir;
    FfmpegEncoder low(quickHls(dir.file("hls/low")));
    FfmpegEncoder high(quickHls(dir.file("hls/high")));
    dir.write("hls/master.m3u8",
              "#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS=\"mp4a.40.2\"\r\nlow/live.m3u8\r\n"
              "#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS=\"mp4a.40.2\"\r\nhigh/live.m3u8\r\n");
    REQUIRE_MESSAGE(low.waitForSegments(3, 20s), low.output());
    REQUIRE_MESSAGE(high.waitForSegments(3, 20s), high.output());
    FolderServer server(dir.file("hls"));
    auto local = makeCheck("path: " + dir.file("hls/master.m3u8") + "\nmax_stall: 1s\n");
    auto remote = makeCheck("url: " + server.url("master.m3u8") + "\nmax_stall: 1s\n");

    for (auto* check : {local.get(), remote.get()}) {
        Result r = runOnce(*check);
        CHECK_MESSAGE(statusOf(r) == "pass", r.summary);
        CHECK(r.summary.rfind("2 variants: low/live.m3u8 newest segment #", 0) == 0);
        CHECK(r.summary.find("; high/live.m3u8 newest segment #") != std::string::npos);
    }
    ::kill(high.pid(), SIGSTOP);
    for (auto* check : {local.get(), remote.get()}) {
        const bool failed = waitUntil([&] { return statusOf(runOnce(*check)) == "fail"; }, 10s, 100ms);
        REQUIRE(failed);
        Result r = runOnce(*check);
        INFO(r.summary);
        CHECK(r.summary.rfind("high/live.m3u8: stalled: the newest segment is still #", 0) == 0);
        CHECK(r.summary.find("low/live.m3u8") == std::string::npos);
    }
    ::kill(high.pid(), SIGCONT);
}

TEST_CASE("ffmpeg's own master playlist (-master_pl_name, -var_stream_map) with two audio variants") {
    TempDir dir;
    const std::string out = dir.file("hls");
    ::mkdir(out.c_str(), 0755);
    std::vector<std::string> argv = FfmpegEncoder::toneInput();
    argv.insert(argv.end(), {"-map",
                             "0:a",
                             "-map",
                             "0:a",
                             "-c:a",
                             "aac",
                             "-b:a:0",
                             "32k",
                             "-b:a:1",
                             "64k",
                             "-f",
                             "hls",
                             "-hls_time",
                             "1",
                             "-hls_list_size",
                             "5",
                             "-hls_flags",
                             "delete_segments",
                             "-master_pl_name",
                             "master.m3u8",
                             "-var_stream_map",
                             "a:0,name:lo a:1,name:hi",
                             "-hls_segment_filename",
                             out + "/%v_%05d.ts",
                             out + "/%v.m3u8"});
    ChildProcess ffmpeg(argv);
    const bool ready = waitUntil(
        [&] {
            return !newestListed(out + "/lo.m3u8").empty() && !newestListed(out + "/hi.m3u8").empty() &&
                   !readFile(out + "/master.m3u8").empty();
        },
        20s, 100ms);
    REQUIRE_MESSAGE(ready, ffmpeg.output());
    Result r = runOnce(*makeCheck("path: " + out + "/master.m3u8\n"));
    CHECK_MESSAGE(statusOf(r) == "pass", r.summary);
    CHECK(r.summary.rfind("2 variants: lo.m3u8 newest segment #", 0) == 0);
    CHECK(r.details[1] == std::make_pair(std::string("variants"), std::string("2")));
}

TEST_CASE("a server that refuses HEAD is asked for one byte instead; a redirect is followed") {
    TempDir dir;
    dir.write("hls/live.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:2.0,\na.ts\n#EXTINF:2.0,\nb.ts\n");
    dir.write("hls/a.ts", "segment");
    dir.write("hls/b.ts", "");
    FolderServer server(dir.file("hls"), /*refuseHead*/ true);
    Result r = runOnce(*makeCheck("url: " + server.url("live.m3u8") + "\n"));
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "segment b.ts (#8) is empty (0 bytes)");
    auto methods = server.methods();
    INFO(methods.size(), " ", methods.empty() ? "" : methods.back());
    CHECK(std::count(methods.begin(), methods.end(), "GET bytes=0-0") >= 2);

    LocalHttpServer redirect([&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& resp) {
        resp.redirect(server.url("live.m3u8"), Poco::Net::HTTPResponse::HTTP_FOUND);
    });
    dir.write("hls/b.ts", "segment");
    Result followed = runOnce(*makeCheck("url: " + redirect.url() + "/old/live.m3u8\n"));
    CHECK_MESSAGE(statusOf(followed) == "pass", followed.summary);
    CHECK(followed.summary == "newest segment #8 (first look), 2 segments listed, newest 2 present");
}

TEST_CASE("garbage, an HTML page, a huge body, an HTTP error or silence from the server is an error with the reason") {
    std::string body, type = "text/plain";
    int status = 200;
    bool chunked = false;
    LocalHttpServer server([&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& resp) {
        resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
        resp.setContentType(type);
        if (chunked)
            resp.setChunkedTransferEncoding(true);
        else
            resp.setContentLength64(static_cast<Poco::Int64>(body.size()));
        resp.send() << body;
    });
    const std::string url = server.url() + "/live.m3u8";
    auto check = makeCheck("url: " + url + "\n");

    body = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    CHECK(runOnce(*check).summary == url + " is binary data, not an HLS playlist (Content-Type text/plain)");
    body = "<!doctype html><title>Welcome to nginx!</title>";
    type = "text/html";
    Result html = runOnce(*check);
    CHECK(statusOf(html) == "error");
    CHECK(
        html.summary ==
        url +
            " is an HTML page, not an HLS playlist (it begins '<!doctype html><title>Welcome to nginx!</title>') (Content-Type text/html)");
    body = "#EXTM3U\n" + std::string(3 << 20, '#');
    type = "application/vnd.apple.mpegurl";
    CHECK(runOnce(*check).summary == url + " is larger than max_bytes 1M (" + std::to_string(body.size()) + " bytes)");
    chunked = true;
    CHECK(runOnce(*check).summary == url + " is larger than max_bytes 1M");
    status = 503;
    body = "busy";
    CHECK(runOnce(*check).summary == url + " answered HTTP 503 Service Unavailable");

    // Accepted by the kernel's backlog, never answered.
    Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
    const std::string silentUrl = "http://127.0.0.1:" + std::to_string(silent.address().port()) + "/live.m3u8";
    Result r = runOnce(*makeCheck("url: " + silentUrl + "\n"), 300ms);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "no answer from " + silentUrl + " within 270 ms");

    const int closed = freeLoopbackPort();
    CHECK(runOnce(*makeCheck("url: http://127.0.0.1:" + std::to_string(closed) + "/live.m3u8\n")).summary ==
          "cannot connect to 127.0.0.1:" + std::to_string(closed) + ": connection refused");
}

TEST_CASE("a server that trickles its answer a byte at a time cannot stretch the run past its timeout") {
    const std::string playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:1,\na.ts\n";
    const std::string answer = TrickleServer::okAnswer(playlist, "application/vnd.apple.mpegurl");
    struct Case {
        const char* trickled;
        std::size_t atOnce;
    };
    for (const Case& c : {Case{"the status line", 0}, Case{"the headers", TrickleServer::statusLineLength(answer)},
                          Case{"the body", TrickleServer::headLength(answer) + 10}}) {
        CAPTURE(c.trickled);
        TrickleServer server({answer, c.atOnce, 100ms, 0});
        const std::string url = server.url() + "/live.m3u8";
        const Result r = runOnce(*makeCheck("url: " + url + "\n"), 500ms);
        CHECK(statusOf(r) == "error");
        CHECK(r.summary == "no answer from " + url + " within 450 ms");
        CHECK(server.bytesSent() < answer.size());  // it gave up long before the answer was out
    }
}

TEST_CASE("hls_playlist.so loads through the plugin loader and reads a playlist") {
    TempDir dir;
    dir.write("live.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\na.ts\n");
    dir.write("a.ts", "x");
    PluginLoader loader({pluginDir()});
    auto check = loader.createCheck("hls_playlist");
    configureFrom(*check, "path: " + dir.file("live.m3u8") + "\n", "checks.playlist", "/tmp");
    CheckContext ctx{"playlist", "HLS playlist", 1s, 5s, nullptr};
    CHECK(check->run(ctx).summary == "newest segment #0 (first look), 1 segment listed, newest 1 present");
}
