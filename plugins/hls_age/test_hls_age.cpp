// Unit tests: ages from file times at a fixed "now", the playlist rules, unreadable folders, options.
#include "HlsAgeCheck.h"
#include "HlsAgeScan.h"

#include "DetailOf.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include <watchdog/ConfigError.h>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace watchdog;
using namespace watchdog::hls_age;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;
using SysClock = std::chrono::system_clock;

namespace {

std::unique_ptr<HlsAgeCheck> makeCheck(const std::string& yaml) { return configure<HlsAgeCheck>(yaml, "checks.ts_age", "/srv/station"); }

std::string configError(const std::string& yaml) {
    return watchdog::testing::configError<HlsAgeCheck>(yaml, "checks.ts_age", "/srv/station");
}

// A fixed "now" on a whole second, and files stamped relative to it.
const SysClock::time_point kNow = SysClock::time_point(std::chrono::seconds(1'800'000'000));

void stamp(const std::string& path, std::chrono::milliseconds before) {
    auto t = std::chrono::duration_cast<std::chrono::nanoseconds>((kNow - before).time_since_epoch()).count();
    struct timespec times[2];
    times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(t / 1'000'000'000);
    times[0].tv_nsec = times[1].tv_nsec = static_cast<long>(t % 1'000'000'000);
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

void segment(const TempDir& dir, const std::string& name, std::chrono::milliseconds before) { stamp(dir.write(name, "ts"), before); }

}  // namespace

TEST_CASE("young segments pass and report the oldest and newest ages") {
    TempDir dir;
    segment(dir, "seg1.ts", 100s);
    segment(dir, "seg2.ts", 10s);
    segment(dir, "seg3.ts", 1500ms);
    segment(dir, "live.m3u8", 2h);  // not *.ts
    segment(dir, "index.ts", 3h);   // excluded
    auto check = makeCheck("directory: " + dir.path() + "\nexclude: [index.ts]\n");
    Result r = check->runAt(kNow);
    CHECK(statusOf(r) == "pass");
    CHECK(r.summary == "3 files matching *.ts: oldest 1 min 40 s, newest 1.5 s (max_age 15 min)");
    CHECK(r.value == 100);
    CHECK(r.unit == "s");
    CHECK(detailOf(r.details, "oldest") == "seg1.ts (1 min 40 s)");
    CHECK(detailOf(r.details, "newest") == "seg3.ts (1.5 s)");
    CHECK(detailOf(r.details, "files") == "3");
}

TEST_CASE("a file older than max_age fails naming it; a stale newest fails as a stalled encoder") {
    TempDir dir;
    segment(dir, "seg1.ts", 20min);
    segment(dir, "seg2.ts", 2min);
    Result old = makeCheck("directory: " + dir.path() + "\nmax_age: 15m\n")->runAt(kNow);
    CHECK(statusOf(old) == "fail");
    CHECK(old.summary == "oldest file seg1.ts is 20 min old (max_age 15 min)");

    Result both = makeCheck("directory: " + dir.path() + "\nmax_age: 15m\nnewest_max_age: 30s\n")->runAt(kNow);
    CHECK(both.summary ==
          "oldest file seg1.ts is 20 min old (max_age 15 min); "
          "newest file seg2.ts is 2 min old (newest_max_age 30 s): the encoder stopped writing");
}

TEST_CASE("no segments pass unless newest_max_age asks for a fresh one") {
    TempDir dir;
    Result none = makeCheck("directory: " + dir.path() + "\n")->runAt(kNow);
    CHECK(statusOf(none) == "pass");
    CHECK(none.summary == "no files matching *.ts");
    Result stalled = makeCheck("directory: " + dir.path() + "\nnewest_max_age: 10s\n")->runAt(kNow);
    CHECK(statusOf(stalled) == "fail");
    CHECK(stalled.summary == "no files matching *.ts in " + dir.path());
}

TEST_CASE("a file stamped in the future counts as brand new") {
    TempDir dir;
    segment(dir, "seg1.ts", -30s);
    Result r = makeCheck("directory: " + dir.path() + "\nnewest_max_age: 5s\n")->runAt(kNow);
    CHECK(statusOf(r) == "pass");
    CHECK(r.value == 0);
}

TEST_CASE("the playlist must be fresh and every segment it lists must exist") {
    TempDir dir;
    segment(dir, "seg1.ts", 3s);
    segment(dir, "seg2.ts", 2s);
    std::string playlist = dir.write("live.m3u8",
                                     "#EXTM3U\r\n#EXT-X-TARGETDURATION:1\r\n#EXTINF:1.0,\r\nseg1.ts\r\n#EXTINF:1.0,\r\n"
                                     "seg2.ts?v=1\r\n#EXTINF:1.0,\r\n/hls/seg2.ts\r\nhttps://cdn.example/seg9.ts\r\n");
    stamp(playlist, 1s);
    auto check = makeCheck("directory: " + dir.path() + "\nplaylist: live.m3u8\nnewest_max_age: 10s\n");
    Result ok = check->runAt(kNow);
    CHECK(statusOf(ok) == "pass");
    CHECK(ok.summary == "2 files matching *.ts: oldest 3 s, newest 2 s; playlist 1 s old, 3 of 3 segments present (max_age 15 min)");
    CHECK(detailOf(ok.details, "playlist segments") == "3");

    dir.write("live.m3u8", "#EXTM3U\nseg1.ts\nseg7.ts\nseg8.ts\nseg9.ts\nseg10.ts\n");
    stamp(playlist, 1s);
    Result missing = check->runAt(kNow);
    CHECK(statusOf(missing) == "fail");
    CHECK(missing.summary == "playlist live.m3u8 lists 4 missing segments (seg7.ts, seg8.ts, seg9.ts, ...)");
    dir.write("live.m3u8", "#EXTM3U\nseg1.ts\nseg7.ts\n");
    stamp(playlist, 1s);
    CHECK(check->runAt(kNow).summary == "playlist live.m3u8 lists 1 missing segment (seg7.ts)");

    dir.write("live.m3u8", "#EXTM3U\nseg1.ts\n");
    stamp(playlist, 40s);
    CHECK(check->runAt(kNow).summary == "playlist live.m3u8 not updated for 40 s (playlist_max_age 10 s)");

    ::unlink(playlist.c_str());
    CHECK(check->runAt(kNow).summary == "playlist live.m3u8 is missing");
}

TEST_CASE("playlist parsing keeps media lines only") {
    CHECK(playlistSegments("#EXTM3U\n\n  \n#EXTINF:1,\n a.ts \r\nb.ts?x=1#frag\n#EXT-X-ENDLIST\n") ==
          std::vector<std::string>{"a.ts", "b.ts"});
    CHECK(playlistSegments("").empty());
}

TEST_CASE("a missing or unreadable folder is an error naming it") {
    TempDir dir;
    Result missing = makeCheck("directory: " + dir.file("gone") + "\n")->runAt(kNow);
    CHECK(statusOf(missing) == "error");
    CHECK(missing.summary == "cannot read directory " + dir.file("gone") + ": No such file or directory");

    std::string locked = dir.file("locked");
    ::mkdir(locked.c_str(), 0700);
    ::chmod(dir.path().c_str(), 0755);
    auto check = makeCheck("directory: " + locked + "\n");
    std::string seen = asUnprivileged([&] {
        Result r = check->runAt(kNow);
        return statusOf(r) + ": " + r.summary;
    });
    CHECK(seen == "error: cannot read directory " + locked + ": Permission denied");
}

TEST_CASE("options: defaults, and errors with file:line:col") {
    auto check = makeCheck("directory: hls\nplaylist: live.m3u8\n");
    const auto& s = check->settings();
    CHECK(s.directory == "/srv/station/hls");
    CHECK(s.playlist == "/srv/station/hls/live.m3u8");
    CHECK(s.maxAge == 15min);
    CHECK(s.newestMaxAge == 0ms);
    CHECK(s.playlistMaxAge == 1min);
    CHECK(makeCheck("directory: /x\nnewest_max_age: 20s\nplaylist: /y/p.m3u8\n")->settings().playlistMaxAge == 20s);

    CHECK(configError("max_age: 15m\n") == "pipeline.yaml:1:1: checks.ts_age.directory: required option is missing");
    CHECK(configError("directory: /x\nmax_age: 15 minutes\n").rfind("pipeline.yaml:2:10: checks.ts_age.max_age:", 0) == 0);
    CHECK(configError("directory: /x\nmax_age: 0s\n") == "pipeline.yaml:2:10: checks.ts_age.max_age: must be positive (e.g. 15m)");
    CHECK(configError("directory: /x\nplaylist_max_age: 30s\n") ==
          "pipeline.yaml:2:19: checks.ts_age.playlist_max_age: only applies with playlist (e.g. playlist: live.m3u8)");
    CHECK(configError("directory: /x\nmax_ag: 5m\n").rfind("pipeline.yaml:2:1: checks.ts_age: unknown option 'max_ag'", 0) == 0);
}
