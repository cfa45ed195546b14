// Integration tests: the icecast check against a real icecast2 fed by a real ffmpeg, and against local
// HTTP servers that misbehave the ways a broken proxy or server does.
#include "IcecastCheck.h"
#include "IcecastStats.h"

#include "FfmpegEncoder.h"
#include "IcecastServer.h"
#include "DetailOf.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include "plugins/PluginLoader.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace watchdog;
using namespace watchdog::icecast;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<IcecastCheck> makeCheck(const std::string& yaml) { return configure<IcecastCheck>(yaml, "checks.icecast", "/tmp"); }

std::string yamlFor(const IcecastServer& server, const std::string& extra = "") {
    return "url: " + server.url() + "\nuser: " + server.adminUser() + "\npassword: " + server.adminPassword() + "\n" + extra;
}

Result runOnce(IcecastCheck& check, std::chrono::milliseconds timeout = 5000ms) {
    std::atomic<bool> cancelled{false};
    CheckContext ctx{"icecast", "Icecast Sources", 1000ms, timeout, &cancelled};
    return check.run(ctx);
}

}  // namespace

TEST_CASE("a real Icecast: 0 sources fail, a live ffmpeg source passes, and stopping it fails again") {
    IcecastServer server;
    auto check = makeCheck(yamlFor(server));

    Result empty = runOnce(*check);
    CHECK(statusOf(empty) == "fail");
    CHECK(empty.summary == "0 sources connected (need 1)");
    CHECK(empty.value == 0);
    // The body captured from this server parses the same way.
    CHECK(parseIcecastStats(server.statsXml()).globalSources == 0);

    {
        FfmpegEncoder encoder(FfmpegEncoder::icecastOnly(server.sourceUrl("/live")));
        REQUIRE_MESSAGE(server.waitForSource("/live", 15s), (encoder.output() + server.log()));

        Result live = runOnce(*check);
        CHECK(statusOf(live) == "pass");
        CHECK(live.summary == "1 source connected (/live)");
        CHECK(live.value == 1);
        CHECK(detailOf(live.details, "/live listeners") == "0");
        CHECK(detailOf(live.details, "/live type") == "audio/mpeg");
        CHECK(detailOf(live.details, "/live source_ip") == "127.0.0.1");
        CHECK(detailOf(live.details, "/live stream_start") != "<none>");
        CHECK(detailOf(live.details, "server") == "Icecast 2.4.4");

        IcecastStats captured = parseIcecastStats(server.statsXml());
        REQUIRE(captured.find("/live") != nullptr);
        CHECK(captured.find("/live")->connected);
        CHECK(captured.globalSources == 1);

        auto onMount = makeCheck(yamlFor(server, "mount: /live\n"));
        CHECK(runOnce(*onMount).summary == "source connected to /live (0 listeners)");
        auto otherMount = makeCheck(yamlFor(server, "mount: /backup\n"));
        Result other = runOnce(*otherMount);
        CHECK(statusOf(other) == "fail");
        CHECK(other.summary == "no source on /backup (connected: /live)");

        encoder.stop();
        REQUIRE(server.waitForNoSource("/live", 10s));
    }
    Result gone = runOnce(*check);
    CHECK(statusOf(gone) == "fail");
    CHECK(gone.summary == "0 sources connected (need 1)");
}

TEST_CASE("a real Icecast: a wrong password is an error that names neither user nor password") {
    IcecastServer server;
    auto check = makeCheck("url: " + server.url() + "\nuser: admin\npassword: wrong-pass-123\n");
    Result r = runOnce(*check);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "Icecast at 127.0.0.1:" + std::to_string(server.port()) + " refused the admin credentials (HTTP 401)");
    CHECK(r.summary.find("wrong-pass-123") == std::string::npos);
}

TEST_CASE("a stopped Icecast is a connection-refused error") {
    IcecastServer server;
    auto check = makeCheck(yamlFor(server));
    server.stop();
    Result r = runOnce(*check);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "cannot connect to Icecast at 127.0.0.1:" + std::to_string(server.port()) + ": connection refused");
}

TEST_CASE("a real Icecast: a configured mount kept alive by its fallback is a stub, not a source") {
    IcecastServer::Settings settings;
    settings.mountsXml =
        "  <mount><mount-name>/live</mount-name><fallback-mount>/backup</fallback-mount>"
        "<fallback-override>1</fallback-override></mount>\n";
    IcecastServer server(settings);
    FfmpegEncoder backup(FfmpegEncoder::icecastOnly(server.sourceUrl("/backup")));
    REQUIRE_MESSAGE(server.waitForSource("/backup", 15s), (backup.output() + server.log()));
    // Icecast adds the stub for /live when it rechecks mounts, which a config reload does.
    server.reload();
    bool stub = waitUntil([&] { return server.statsXml().find("<source mount=\"/live\">") != std::string::npos; }, 5s, 50ms);
    REQUIRE_MESSAGE(stub, server.statsXml());

    auto onLive = makeCheck(yamlFor(server, "mount: /live\n"));
    Result r = runOnce(*onLive);
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "no source on /live (listed as a fallback stub, connected: /backup)");

    auto all = makeCheck(yamlFor(server));
    Result a = runOnce(*all);
    CHECK(statusOf(a) == "pass");
    CHECK(a.summary == "1 source connected (/backup)");
}

TEST_CASE("a server that does not answer in time is a timeout error, not a hang") {
    std::atomic<bool> release{false};
    LocalHttpServer slow([&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& resp) {
        waitUntil([&] { return release.load(); }, 5s);
        resp.send() << "late";
    });
    auto check = makeCheck("url: " + slow.url() + "\npassword: x\n");
    auto started = std::chrono::steady_clock::now();
    Result r = runOnce(*check, 300ms);
    auto took = std::chrono::steady_clock::now() - started;
    release = true;
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "no answer from Icecast at 127.0.0.1:" + std::to_string(slow.port()) + " within 300 ms");
    CHECK(took < 3s);
}

TEST_CASE("broken answers are errors with a short reason") {
    std::string mode;
    LocalHttpServer server([&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& resp) {
        resp.setKeepAlive(false);
        if (mode == "html") {
            resp.setContentType("text/html");
            resp.send() << "Not XML at all, an HTML error page";
        } else if (mode == "truncated") {
            resp.setContentLength(1000);
            resp.send() << "<?xml version=\"1.0\"?>\n<icestats><sources>1</sources>";
        } else if (mode == "huge") {
            resp.setChunkedTransferEncoding(true);
            std::ostream& out = resp.send();
            out << "<?xml version=\"1.0\"?>\n<icestats>";
            std::string filler(64 * 1024, ' ');
            for (int i = 0; i < 64 && out; ++i) out << filler;
            out << "</icestats>";
        } else if (mode == "404") {
            resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            resp.send() << "nope";
        } else {
            resp.send() << "<?xml version=\"1.0\"?>\n<icestats><sources>0</sources></icestats>";
        }
    });
    std::string at = "Icecast at 127.0.0.1:" + std::to_string(server.port());
    auto check = makeCheck("url: " + server.url() + "\npassword: x\nmax_body: 1M\n");

    mode = "html";
    CHECK(runOnce(*check).summary == at + " sent not XML: \"Not XML at all, an HTML error page\"");
    mode = "truncated";
    CHECK(runOnce(*check).summary == at + " closed the connection after 52 of 1000 bytes");
    mode = "huge";
    CHECK(runOnce(*check).summary == "Icecast's answer is larger than 1024K (max_body)");
    mode = "404";
    CHECK(runOnce(*check).summary == at + " answered HTTP 404 Not Found for /admin/stats");
    mode = "ok";
    CHECK(runOnce(*check).summary == "0 sources connected (need 1)");
}

TEST_CASE("a real Icecast over TLS: its certificate is verified, trusted through ca_file") {
    IcecastServer::Settings settings;
    settings.tls = true;
    IcecastServer server(settings);
    const std::string at = "127.0.0.1:" + std::to_string(server.tlsPort());

    auto trusted =
        makeCheck("url: " + server.tlsUrl() + "\npassword: " + server.adminPassword() + "\nca_file: " + server.certificateFile() + "\n");
    Result ok = runOnce(*trusted);
    CHECK_MESSAGE(statusOf(ok) == "fail", ok.summary);
    CHECK(ok.summary == "0 sources connected (need 1)");

    auto untrusted = makeCheck("url: " + server.tlsUrl() + "\npassword: " + server.adminPassword() + "\n");
    Result refused = runOnce(*untrusted);
    CHECK(statusOf(refused) == "error");
    CHECK(refused.summary.rfind("TLS with Icecast at " + at + " failed: ", 0) == 0);
    CHECK(refused.summary.find("certificate verify failed") != std::string::npos);

    auto wrongPassword = makeCheck("url: " + server.tlsUrl() + "\npassword: nope\nca_file: " + server.certificateFile() + "\n");
    CHECK(runOnce(*wrongPassword).summary == "Icecast at " + at + " refused the admin credentials (HTTP 401)");
}

TEST_CASE("icecast.so loads through the plugin loader and runs against a real Icecast") {
    IcecastServer server;
    PluginLoader loader({pluginDir()});
    auto check = loader.createCheck("icecast");
    configureFrom(*check, yamlFor(server), "checks.icecast", "/tmp");
    CheckContext ctx{"icecast", "Icecast Sources", 1s, 5s, nullptr};
    CHECK(check->run(ctx).summary == "0 sources connected (need 1)");
}
