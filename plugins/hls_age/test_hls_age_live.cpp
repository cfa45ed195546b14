// Integration test: hls_age on the HLS output of a real ffmpeg, before and after the encoder dies.
#include "HlsAgeCheck.h"

#include "FfmpegEncoder.h"
#include "RunCheckOnce.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include "plugins/PluginLoader.h"

#include <doctest/doctest.h>

#include <thread>

using namespace watchdog;
using namespace watchdog::hls_age;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<HlsAgeCheck> makeCheck(const std::string& yaml) { return configure<HlsAgeCheck>(yaml, "checks.ts_age", "/tmp"); }

Result runOnce(Check& check) { return runCheckOnce(check, "ts_age", "HLS Old Files"); }

}  // namespace

TEST_CASE("real ffmpeg HLS passes while it runs; once it is killed the segments age and the check fails") {
    TempDir dir;
    const std::string hls = dir.file("hls");
    FfmpegEncoder encoder(FfmpegEncoder::hlsOnly(hls, 2));
    REQUIRE_MESSAGE(encoder.waitForSegments(3, 20s), encoder.output());

    // 1 s segments, 2 in the list: the oldest on disk is a few seconds old, the newest about one.
    auto stalled = makeCheck("directory: " + hls + "\nnewest_max_age: 5s\nplaylist: live.m3u8\n");
    auto old = makeCheck("directory: " + hls + "\nmax_age: 8s\n");
    for (int i = 0; i < 3; ++i) {
        Result r = runOnce(*stalled);
        CHECK_MESSAGE(statusOf(r) == "pass", r.summary);
        CHECK(r.summary.find("segments present") != std::string::npos);
        CHECK(statusOf(runOnce(*old)) == "pass");
        std::this_thread::sleep_for(300ms);
    }

    encoder.kill();
    Result last;
    REQUIRE(waitUntil(
        [&] {
            last = runOnce(*stalled);
            return statusOf(last) == "fail";
        },
        15s, 100ms));
    CHECK(last.summary.find("the encoder stopped writing") != std::string::npos);
    REQUIRE(waitUntil(
        [&] {
            last = runOnce(*old);
            return statusOf(last) == "fail";
        },
        20s, 200ms));
    CHECK(last.summary.rfind("oldest file seg", 0) == 0);
    CHECK(last.summary.find("old (max_age 8 s)") != std::string::npos);
}

TEST_CASE("hls_age.so loads through the plugin loader and reads ages") {
    TempDir dir;
    PluginLoader loader({pluginDir()});
    auto check = loader.createCheck("hls_age");
    configureFrom(*check, "directory: " + dir.path() + "\n", "checks.ts_age", "/tmp");
    CHECK(runOnce(*check).summary == "no files matching *.ts");
}
