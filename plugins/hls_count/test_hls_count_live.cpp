// Integration test: hls_count on the HLS output of a real ffmpeg.
#include "HlsCountCheck.h"

#include "FfmpegEncoder.h"
#include "RunCheckOnce.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include "plugins/PluginLoader.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::hls_count;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<HlsCountCheck> makeCheck(const std::string& yaml) { return configure<HlsCountCheck>(yaml, "checks.ts_count", "/tmp"); }

Result runOnce(Check& check) { return runCheckOnce(check, "ts_count", "TS File Count"); }

}  // namespace

TEST_CASE("real ffmpeg HLS with a bounded list passes; a tighter max_files fails") {
    TempDir dir;
    FfmpegEncoder encoder(FfmpegEncoder::hlsOnly(dir.file("hls"), 3));
    REQUIRE_MESSAGE(encoder.waitForSegments(4, 20s), encoder.output());

    auto check = makeCheck("directory: " + dir.file("hls") + "\nmax_files: 20\nexclude: [index.html, live.m3u8]\n");
    for (int i = 0; i < 3; ++i) {
        Result r = runOnce(*check);
        CHECK(statusOf(r) == "pass");
        REQUIRE(r.value);
        // list size 3, plus the one ffmpeg keeps before deleting and the one being written
        CHECK(*r.value >= 3);
        CHECK(*r.value <= 6);
        CHECK(r.summary == std::to_string(static_cast<int>(*r.value)) + " files matching *.ts (max 20)");
    }
    auto tight = makeCheck("directory: " + dir.file("hls") + "\nmax_files: 2\n");
    Result over = runOnce(*tight);
    CHECK(statusOf(over) == "fail");
    CHECK(over.summary.find("more than max_files 2") != std::string::npos);
}

TEST_CASE("real ffmpeg HLS without deletion grows past max_files and fails") {
    TempDir dir;
    auto settings = FfmpegEncoder::hlsOnly(dir.file("hls"), 3);
    settings.hlsDeleteSegments = false;
    FfmpegEncoder encoder(settings);
    auto check = makeCheck("directory: " + dir.file("hls") + "\nmax_files: 4\n");
    bool failed = waitUntil([&] { return statusOf(runOnce(*check)) == "fail"; }, 20s, 100ms);
    REQUIRE_MESSAGE(failed, encoder.output());
    CHECK(runOnce(*check).summary.find("more than max_files 4") != std::string::npos);
}

TEST_CASE("hls_count.so loads through the plugin loader and counts") {
    TempDir dir;
    dir.write("a.ts", "x");
    PluginLoader loader({pluginDir()});
    auto check = loader.createCheck("hls_count");
    configureFrom(*check, "directory: " + dir.path() + "\n", "checks.ts_count", "/tmp");
    CHECK(runOnce(*check).summary == "1 file matching *.ts (max 20)");
}
