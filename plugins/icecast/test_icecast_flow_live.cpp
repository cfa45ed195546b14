// Integration tests of the flow the icecast check measures, against a real icecast2 fed by a real
// ffmpeg: a source paused with SIGSTOP (its connection stays open) fails min_kbps and passes again
// after SIGCONT; an encoder killed and started again is a reconnect; expect_source_ip names the
// address Icecast shows; the running daemon's /metrics carries the reconnect count. Icecast
// refreshes total_bytes_read every 5 s, so the waits here are for what the check reports, polled
// every 250 ms, never fixed sleeps.
#include "IcecastCheck.h"

#include "FfmpegEncoder.h"
#include "IcecastServer.h"
#include "DetailOf.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <ctime>

using namespace watchdog;
using namespace watchdog::icecast;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<IcecastCheck> makeCheck(const IcecastServer& server, const std::string& extra) {
    return configure<IcecastCheck>(
        "url: " + server.url() + "\nuser: " + server.adminUser() + "\npassword: " + server.adminPassword() + "\n" + extra,
        "checks.icecast");
}

Result runOnce(IcecastCheck& check) {
    std::atomic<bool> cancelled{false};
    return check.run(CheckContext{"icecast", "Icecast Sources", 250ms, 5000ms, &cancelled});
}

// Runs the check every 250 ms until `done` holds for its result (true) or `timeout` passes.
bool runUntil(IcecastCheck& check, Result& last, const std::function<bool(const Result&)>& done, std::chrono::milliseconds timeout) {
    return waitUntil(
        [&] {
            last = runOnce(check);
            return done(last);
        },
        timeout, 250ms);
}

}  // namespace

TEST_CASE("a real source paused with SIGSTOP fails min_kbps while still connected, and passes again after SIGCONT") {
    IcecastServer::Settings settings;
    settings.sourceTimeout = 300s;  // Icecast would drop a silent source after 10 s: the pause must outlast the window
    IcecastServer server(settings);
    FfmpegEncoder encoder(FfmpegEncoder::icecastOnly(server.sourceUrl("/live")));
    REQUIRE_MESSAGE(server.waitForSource("/live", 15s), (encoder.output() + server.log()));
    auto check = makeCheck(server, "mount: /live\nmin_kbps: 16\n");

    Result flowing;
    // A measured rate that passes: on a loaded machine ffmpeg may send below 16 kbit/s for a window
    // or two before it runs in real time.
    const bool measured = runUntil(
        *check, flowing, [](const Result& r) { return detailOf(r.details, "/live read_kbps") != "measuring" && statusOf(r) == "pass"; },
        30s);
    REQUIRE_MESSAGE(measured, flowing.summary);
    CHECK_MESSAGE(statusOf(flowing) == "pass", flowing.summary);
    CHECK(flowing.summary.rfind("source connected to /live (0 listeners, ", 0) == 0);
    CHECK(flowing.summary.find(" kbit/s)") == flowing.summary.size() - 8);
    CHECK(std::stod(detailOf(flowing.details, "/live read_kbps")) >= 16);
    CHECK(detailOf(flowing.details, "/live source_ip") == "127.0.0.1");
    CHECK(detailOf(flowing.details, "/live reconnects") == "0");

    REQUIRE(::kill(encoder.pid(), SIGSTOP) == 0);
    Result paused;
    const bool stalled = runUntil(
        *check, paused, [](const Result& r) { return r.summary == "/live receives 0 kbit/s from its source (min_kbps 16)"; }, 40s);
    ::kill(encoder.pid(), SIGCONT);  // before any REQUIRE can end the test with ffmpeg stopped
    CHECK_MESSAGE(stalled, paused.summary);
    CHECK(statusOf(paused) == "fail");
    CHECK(paused.value == 1);          // connected all along:
    CHECK(server.hasSource("/live"));  // the paused encoder's connection stays open
    CHECK(detailOf(paused.details, "/live read_kbps") == "0");
    CHECK(detailOf(paused.details, "/live reconnects") == "0");

    Result resumed;
    const bool recovered = runUntil(
        *check, resumed, [](const Result& r) { return statusOf(r) == "pass"; }, 40s);
    CHECK_MESSAGE(recovered, resumed.summary);
    CHECK(std::stod(detailOf(resumed.details, "/live read_kbps")) >= 16);
    CHECK(detailOf(resumed.details, "/live reconnects") == "0");  // the same connection, never a reconnect
}

TEST_CASE("a real encoder killed and started again is counted as a reconnect, with the stream_start it replaced") {
    IcecastServer server;
    auto check = makeCheck(server, "mount: /live\n");
    auto encoder = std::make_unique<FfmpegEncoder>(FfmpegEncoder::icecastOnly(server.sourceUrl("/live")));
    REQUIRE_MESSAGE(server.waitForSource("/live", 15s), (encoder->output() + server.log()));
    const std::time_t connectedBy = std::time(nullptr);

    Result first = runOnce(*check);
    CHECK(statusOf(first) == "pass");
    CHECK(detailOf(first.details, "/live reconnects") == "0");
    CHECK(detailOf(first.details, "/live reconnected") == "<none>");
    const std::string firstStart = detailOf(first.details, "/live stream_start");
    REQUIRE(firstStart != "<none>");

    encoder->kill();
    REQUIRE(server.waitForNoSource("/live", 10s));
    Result gone = runOnce(*check);
    CHECK(gone.summary == "no source on /live (0 sources connected)");

    // stream_start counts whole seconds: the new connection starts in a later second than the first.
    waitUntil([&] { return std::time(nullptr) > connectedBy; }, 2s, 20ms);
    encoder = std::make_unique<FfmpegEncoder>(FfmpegEncoder::icecastOnly(server.sourceUrl("/live")));
    REQUIRE_MESSAGE(server.waitForSource("/live", 15s), (encoder->output() + server.log()));

    Result back = runOnce(*check);
    CHECK(statusOf(back) == "pass");
    CHECK(detailOf(back.details, "/live reconnects") == "1");
    CHECK(detailOf(back.details, "/live reconnected") == "since the previous run (stream_start was " + firstStart + ")");
    CHECK(detailOf(back.details, "/live stream_start") != firstStart);
    // The same count is a metric, which /metrics exports as watchdog_check_metric{...,name="reconnects",mount="/live"}.
    const auto reconnects = std::find_if(back.metrics.begin(), back.metrics.end(), [](const Metric& m) { return m.name == "reconnects"; });
    REQUIRE(reconnects != back.metrics.end());
    CHECK(reconnects->value == 1);
    CHECK(reconnects->labels == Details{{"mount", "/live"}});

    Result steady = runOnce(*check);
    CHECK(detailOf(steady.details, "/live reconnects") == "1");
    CHECK(detailOf(steady.details, "/live reconnected") == "<none>");
}

TEST_CASE("expect_source_ip: the encoder on 127.0.0.1 passes; another address fails naming 127.0.0.1") {
    IcecastServer server;
    FfmpegEncoder encoder(FfmpegEncoder::icecastOnly(server.sourceUrl("/live")));
    REQUIRE_MESSAGE(server.waitForSource("/live", 15s), (encoder.output() + server.log()));

    Result right = runOnce(*makeCheck(server, "mount: /live\nexpect_source_ip: 127.0.0.1\n"));
    CHECK_MESSAGE(statusOf(right) == "pass", right.summary);
    CHECK(right.summary == "source connected to /live (0 listeners)");

    Result wrong = runOnce(*makeCheck(server, "mount: /live\nexpect_source_ip: 10.0.0.2\n"));
    CHECK(statusOf(wrong) == "fail");
    CHECK(wrong.summary == "/live is fed from 127.0.0.1, not 10.0.0.2 (expect_source_ip)");
    CHECK(detailOf(wrong.details, "/live source_ip") == "127.0.0.1");

    Result anyMount = runOnce(*makeCheck(server, "expect_source_ip: 10.0.0.2\n"));
    CHECK(anyMount.summary == "1 source connected (/live), but /live is fed from 127.0.0.1, not 10.0.0.2 (expect_source_ip)");
}

TEST_CASE("the daemon's /metrics shows a real encoder's reconnect, from a check in its own process") {
    IcecastServer server;
    auto encoder = std::make_unique<FfmpegEncoder>(FfmpegEncoder::icecastOnly(server.sourceUrl("/live")));
    REQUIRE_MESSAGE(server.waitForSource("/live", 15s), (encoder->output() + server.log()));
    TempDir dir;
    const int port = freeLoopbackPort();
    // isolate: process, so the metrics also cross the check process's protocol.
    dir.write("pipeline.yaml",
              "watchdog: { name: metrics-test, interval: 1s, timeout: 1s, state_file: state.json }\n"
              "http: { listen: 127.0.0.1:" +
                  std::to_string(port) +
                  " }\n"
                  "checks:\n"
                  "  icecast: { plugin: icecast, url: " +
                  server.url() + ", user: " + server.adminUser() +
                  ", password: \"${ICECAST_PASS}\", mount: /live, isolate: process }\n"
                  "sinks:\n  - { plugin: jsonl, path: events.jsonl, fsync: false }\n");
    ChildProcess daemon({watchdogBinary(), "run", dir.file("pipeline.yaml")}, {{"ICECAST_PASS", server.adminPassword()}});
    std::string metrics;
    const auto metricsShow = [&](const std::string& sample) {
        metrics = runCommand({"curl", "-s", "http://127.0.0.1:" + std::to_string(port) + "/metrics"}, 5s).second;
        return metrics.find(sample) != std::string::npos;
    };
    const std::string reconnects = "watchdog_check_metric{check=\"icecast\",name=\"reconnects\",mount=\"/live\"} ";
    REQUIRE_MESSAGE(waitUntil([&] { return metricsShow(reconnects + "0\n"); }, 20s, 250ms), (metrics + daemon.output()));
    const std::time_t connectedBy = std::time(nullptr);

    encoder->kill();
    REQUIRE(server.waitForNoSource("/live", 10s));
    REQUIRE_MESSAGE(waitUntil([&] { return metricsShow("watchdog_check_value{check=\"icecast\",unit=\"sources\"} 0\n"); }, 10s, 250ms),
                    metrics);
    CHECK(metrics.find(reconnects) == std::string::npos);  // no source, no flow: no sample

    waitUntil([&] { return std::time(nullptr) > connectedBy; }, 2s, 20ms);  // stream_start counts whole seconds
    encoder = std::make_unique<FfmpegEncoder>(FfmpegEncoder::icecastOnly(server.sourceUrl("/live")));
    REQUIRE_MESSAGE(server.waitForSource("/live", 15s), (encoder->output() + server.log()));
    CHECK_MESSAGE(waitUntil([&] { return metricsShow(reconnects + "1\n"); }, 15s, 250ms), (metrics + daemon.output()));
}
