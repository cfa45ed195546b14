// Unit tests: counting rules, limits, unreadable directories, option validation.
#include "HlsCountCheck.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include <watchdog/ConfigError.h>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace watchdog;
using namespace watchdog::hls_count;
using namespace watchdog::test;
using namespace watchdog::testing;

namespace {

std::unique_ptr<HlsCountCheck> makeCheck(const std::string& yaml) {
    return configure<HlsCountCheck>(yaml, "checks.ts_count", "/srv/station");
}

Result runOnce(HlsCountCheck& check) {
    CheckContext ctx{"ts_count", "TS File Count", std::chrono::seconds(60), std::chrono::seconds(10), nullptr};
    return check.run(ctx);
}

std::string configError(const std::string& yaml) {
    return watchdog::testing::configError<HlsCountCheck>(yaml, "checks.ts_count", "/srv/station");
}

}  // namespace

TEST_CASE("counts regular *.ts files, skipping excluded names, other names and folders") {
    TempDir dir;
    for (int i = 0; i < 5; ++i) dir.write("seg" + std::to_string(i) + ".ts", "x");
    dir.write("live.m3u8", "#EXTM3U\n");
    dir.write("index.html", "<html/>");
    dir.write("keep.ts", "x");
    ::mkdir(dir.file("folder.ts").c_str(), 0755);
    REQUIRE(::symlink(dir.file("seg0.ts").c_str(), dir.file("link.ts").c_str()) == 0);
    REQUIRE(::symlink(dir.file("nowhere").c_str(), dir.file("dangling.ts").c_str()) == 0);

    auto check = makeCheck("directory: " + dir.path() + "\nmax_files: 20\nexclude: [index.html, live.m3u8, keep.ts]\n");
    Result r = runOnce(*check);
    CHECK(statusOf(r) == "pass");
    CHECK(r.summary == "6 files matching *.ts (max 20)");  // 5 segments + the symlink to one
    CHECK(r.value == 6);
    CHECK(r.unit == "files");
    CHECK(r.details == Details{{"directory", dir.path()}, {"excluded", "1"}});
}

TEST_CASE("more than max_files fails, fewer than min_files fails, in between passes") {
    TempDir dir;
    for (int i = 0; i < 21; ++i) dir.write("seg" + std::to_string(i) + ".ts", "x");
    auto over = makeCheck("directory: " + dir.path() + "\nmax_files: 20\n");
    Result r = runOnce(*over);
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "21 files matching *.ts, more than max_files 20");

    auto under = makeCheck("directory: " + dir.path() + "\nmax_files: 50\nmin_files: 22\n");
    CHECK(runOnce(*under).summary == "21 files matching *.ts, fewer than min_files 22");
    auto within = makeCheck("directory: " + dir.path() + "\nmax_files: 50\nmin_files: 21\n");
    Result ok = runOnce(*within);
    CHECK(statusOf(ok) == "pass");
    CHECK(ok.summary == "21 files matching *.ts (allowed 21..50)");

    auto empty = makeCheck("directory: " + dir.path() + "\npattern: '*.m4s'\nmin_files: 1\n");
    CHECK(runOnce(*empty).summary == "0 files matching *.m4s, fewer than min_files 1");
}

TEST_CASE("a missing, non-directory or unreadable directory is an error naming it") {
    TempDir dir;
    auto missing = makeCheck("directory: " + dir.file("gone") + "\n");
    Result r = runOnce(*missing);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "cannot read directory " + dir.file("gone") + ": No such file or directory");

    std::string file = dir.write("plain", "x");
    CHECK(runOnce(*makeCheck("directory: " + file + "\n")).summary == "cannot read directory " + file + ": Not a directory");

    std::string locked = dir.file("locked");
    ::mkdir(locked.c_str(), 0700);
    dir.write("locked/seg1.ts", "x");
    ::chmod(dir.path().c_str(), 0755);
    auto check = makeCheck("directory: " + locked + "\n");
    std::string seen = asUnprivileged([&] {
        Result u = runOnce(*check);
        return statusOf(u) + ": " + u.summary;
    });
    CHECK(seen == "error: cannot read directory " + locked + ": Permission denied");
}

TEST_CASE("options: defaults, relative directory, and errors with file:line:col") {
    auto check = makeCheck("directory: hls\n");
    CHECK(check->settings().directory == "/srv/station/hls");
    CHECK(check->settings().pattern == "*.ts");
    CHECK(check->settings().maxFiles == 20);
    CHECK(check->settings().minFiles == 0);
    CHECK(check->settings().exclude.empty());

    CHECK(configError("max_files: 20\n") == "pipeline.yaml:1:1: checks.ts_count.directory: required option is missing");
    CHECK(configError("directory: /x\nmax_files: twenty\n").rfind("pipeline.yaml:2:12: checks.ts_count.max_files:", 0) == 0);
    CHECK(configError("directory: /x\nmax_files: -1\n").rfind("pipeline.yaml:2:12: checks.ts_count.max_files:", 0) == 0);
    CHECK(configError("directory: /x\nmax_files: 5\nmin_files: 6\n") ==
          "pipeline.yaml:3:12: checks.ts_count.min_files: is larger than max_files (5)");
    CHECK(configError("directory: /x\nexclude: {a: b}\n").rfind("pipeline.yaml:2:10: checks.ts_count.exclude: expected a list", 0) == 0);
    CHECK(configError("directory: /x\nmax_file: 5\n").rfind("pipeline.yaml:2:1: checks.ts_count: unknown option 'max_file'", 0) == 0);
}
