// Unit tests: options, playlists, the loudness meter on generated samples, silence across runs,
// picking new segments, and the result's text.
#include "AudioCheck.h"
#include "HlsPlaylist.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include <watchdog/ConfigError.h>

#include <doctest/doctest.h>

#include <cmath>
#include <fcntl.h>
#include <sys/stat.h>
#include <vector>

using namespace watchdog;
using namespace watchdog::audio;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<AudioCheck> makeCheck(const std::string& yaml) { return configure<AudioCheck>(yaml, "checks.audio", "/srv/station"); }

std::string configError(const std::string& yaml) {
    return watchdog::testing::configError<AudioCheck>(yaml, "checks.audio", "/srv/station");
}

std::string audioError(const std::function<void()>& body) {
    try {
        body();
    } catch (const AudioError& e) {
        return e.what();
    }
    return "no error";
}

// Interleaved stereo: a 1 kHz sine at `amplitude` (full scale 1.0) for `seconds`.
std::vector<float> sine(double amplitude, double seconds, int rate = 48000) {
    const auto frames = static_cast<std::size_t>(seconds * rate);
    std::vector<float> out(frames * 2);
    for (std::size_t i = 0; i < frames; ++i)
        out[2 * i] = out[2 * i + 1] = static_cast<float>(amplitude * std::sin(2 * M_PI * 1000.0 * static_cast<double>(i) / rate));
    return out;
}

std::vector<float> zeros(double seconds, int rate = 48000) {
    return std::vector<float>(static_cast<std::size_t>(seconds * rate) * 2, 0.0f);
}

SegmentCandidate segment(long long n, double seconds = 2, unsigned long long bytes = 0) {
    return SegmentCandidate{"seg" + std::to_string(n) + ".ts", {n, "seg" + std::to_string(n) + ".ts"}, seconds, bytes};
}

std::vector<std::string> names(const std::vector<SegmentCandidate>& v) {
    std::vector<std::string> out;
    for (const auto& c : v) out.push_back(c.location);
    return out;
}

LoudnessReading reading(double seconds, double trailingSilence, bool heardSound) {
    LoudnessReading r;
    r.seconds = seconds;
    r.trailingSilence = trailingSilence;
    r.heardSound = heardSound;
    return r;
}

void setMtime(const std::string& path, std::chrono::seconds ago) {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    timespec times[2] = {now, now};
    times[0].tv_sec -= ago.count();
    times[1].tv_sec -= ago.count();
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

}  // namespace

TEST_CASE("options: defaults, and the three spellings of a threshold") {
    auto check = makeCheck("directory: hls\n");
    const AudioSettings& s = check->settings();
    CHECK(s.directory == "/srv/station/hls");
    CHECK(s.pattern == "*.ts");
    CHECK(s.thresholdLufs == -50);
    CHECK(s.maxSilence == 15s);
    CHECK(s.sample == 5s);
    CHECK(s.maxBytes == 16ULL << 20);
    CHECK(!s.sampleRate);
    CHECK(!s.minBitrate);
    for (const char* t : {"-45dB", "-45", "-45LUFS", "-45 LUFS", "-45 dBFS"})
        CHECK(makeCheck(std::string("directory: hls\nthreshold: ") + t + "\n")->settings().thresholdLufs == -45);
    auto full = makeCheck(
        "url: http://127.0.0.1:8000/live\nthreshold: -60.5dB\nmax_silence: 2m\nsample: 3s\nmax_bytes: 4M\n"
        "codec: AAC\nsample_rate: 44100\nchannels: 2\nmin_bitrate: 96k\n");
    CHECK(full->settings().thresholdLufs == -60.5);
    CHECK(full->settings().maxSilence == 120s);
    CHECK(full->settings().codec == "aac");
    CHECK(*full->settings().sampleRate == 44100);
    CHECK(*full->settings().channels == 2);
    CHECK(*full->settings().minBitrate == 96000);
    CHECK(full->settings().maxBytes == 4ULL << 20);
}

TEST_CASE("options: bad values name FILE:LINE:COL and say what to write") {
    CHECK(configError("directory: hls\nthreshold: quiet\n") ==
          "pipeline.yaml:2:12: checks.audio.threshold: 'quiet' is not a level (use -50dB, -50 or -50LUFS)");
    CHECK(configError("directory: hls\nthreshold: 5dB\n").find("2:12: checks.audio.threshold: '5dB' is outside -100..0 dB") !=
          std::string::npos);
    CHECK(configError("directory: hls\nurl: http://x/live\n").find("checks.audio.url: give either directory or url, not both") !=
          std::string::npos);
    CHECK(configError("threshold: -50dB\n").find("checks.audio.directory: is required: give directory") != std::string::npos);
    CHECK(configError("url: ftp://host/live\n") ==
          "pipeline.yaml:1:6: checks.audio.url: must start with http:// or https:// and name a host (e.g. http://127.0.0.1:8000/live)");
    CHECK(configError("url: http://x/live\nmin_bitrate: fast\n") ==
          "pipeline.yaml:2:14: checks.audio.min_bitrate: 'fast' is not a bitrate (use 96k, 128kbit/s or 96000)");
    CHECK(configError("url: http://x/live\ncodec: acc\n").find("checks.audio.codec: 'acc' is not an audio codec FFmpeg knows") !=
          std::string::npos);
    CHECK(configError("url: http://x/live\nsample_rate: 100\n").find("2:14: checks.audio.sample_rate:") != std::string::npos);
    CHECK(configError("url: http://x/live\nplaylist: live.m3u8\n").find("checks.audio.playlist: only applies with directory") !=
          std::string::npos);
    CHECK(configError("directory: hls\nmax_silence: 0s\n").find("checks.audio.max_silence: must be longer than 0s") != std::string::npos);
    CHECK(configError("directory: hls\nmax_bytes: 1K\n").find("checks.audio.max_bytes: must be between 64K and 1G") != std::string::npos);
    CHECK(configError("directory: hls\nmax_silense: 10s\n").find("unknown option 'max_silense' (did you mean 'max_silence'?)") !=
          std::string::npos);
}

TEST_CASE("options: a block that collects problems reports every bad option in one pass") {
    AudioCheck check;
    Options opts = optionsFromYaml("url: gopher://x\nthreshold: loud\nmin_bitrate: fast\ncodec: nope\n", "checks.audio", "/");
    opts.collectProblems();
    check.configure(opts);
    const auto problems = opts.recordedProblems();
    REQUIRE(problems.size() == 4);
    std::string all;
    for (const auto& p : problems) all += std::string(p.what()) + "\n";
    for (const char* where :
         {"1:6: checks.audio.url", "2:12: checks.audio.threshold", "3:14: checks.audio.min_bitrate", "4:8: checks.audio.codec"})
        CHECK_MESSAGE(all.find(where) != std::string::npos, all);
}

TEST_CASE("levels and bitrates parse as people write them") {
    CHECK(*parseLevel("-50dB") == -50);
    CHECK(*parseLevel(" -50 ") == -50);
    CHECK(*parseLevel("-50lufs") == -50);
    CHECK(!parseLevel("-50 dB SPL"));
    CHECK(!parseLevel("nan"));
    CHECK(!parseLevel("-inf"));
    CHECK(*parseBitrate("96k") == 96000);
    CHECK(*parseBitrate("128 kbit/s") == 128000);
    CHECK(*parseBitrate("0.5M") == 500000);
    CHECK(*parseBitrate("64000") == 64000);
    CHECK(!parseBitrate("-96k"));
    CHECK(!parseBitrate("96 kB"));
    CHECK(formatBitrate(128000) == "128 kbit/s");
    CHECK(formatBitrate(95500) == "95.5 kbit/s");
    CHECK(formatBytes(16ULL << 20) == "16 MiB");
    CHECK(formatBytes(1ULL << 30) == "1 GiB");
    CHECK(formatBytes(900) == "900 bytes");
}

TEST_CASE("media and master playlists; relative, rooted and local URIs") {
    const std::string media =
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:41\n"
        "#EXTINF:2.000,\nseg41.ts\r\n#EXTINF:1.5,\n/hls/seg42.ts?token=1\n";
    HlsPlaylist p = parseHlsPlaylist(media, "live.m3u8");
    CHECK(!p.master);
    CHECK(p.targetDuration == 2);
    REQUIRE(p.segments.size() == 2);
    CHECK(p.segments[0].uri == "seg41.ts");
    CHECK(p.segments[0].sequence == 41);
    CHECK(p.segments[1].seconds == 1.5);
    CHECK(p.segments[1].sequence == 42);
    CHECK(p.unsupported.empty());

    HlsPlaylist m = parseHlsPlaylist(
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\"\naac_128/live.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=64000\naac_64/live.m3u8\n",
        "master.m3u8");
    CHECK(m.master);
    CHECK(m.variants == std::vector<std::string>{"aac_128/live.m3u8", "aac_64/live.m3u8"});

    CHECK(parseHlsPlaylist("#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:2,\na.ts\n", "x").unsupported ==
          "encrypted segments (EXT-X-KEY METHOD=AES-128)");
    CHECK(parseHlsPlaylist("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n", "x").unsupported == "fragmented MP4 segments (EXT-X-MAP)");
    CHECK(audioError([] { parseHlsPlaylist("<html>", "http://h/live.m3u8"); }) == "http://h/live.m3u8 is not an HLS playlist (no #EXTM3U)");

    CHECK(resolvePlaylistUri("http://h:8/radio/live.m3u8", "seg1.ts") == "http://h:8/radio/seg1.ts");
    CHECK(resolvePlaylistUri("https://h/radio/master.m3u8", "/other/x.m3u8") == "https://h/other/x.m3u8");
    CHECK(resolvePlaylistUri("https://h/radio/master.m3u8", "http://cdn/x.ts") == "http://cdn/x.ts");
    CHECK(audioError([] { resolvePlaylistUri("http://h/live.m3u8", "file:///etc/passwd"); }).find("only http and https") !=
          std::string::npos);
    CHECK(resolvePlaylistUri("/var/www/hls/live.m3u8", "seg1.ts") == "/var/www/hls/seg1.ts");
    CHECK(resolvePlaylistUri("/var/www/hls/live.m3u8", "/hls/seg1.ts?x=1") == "/var/www/hls/seg1.ts");
    CHECK(audioError([] { resolvePlaylistUri("/var/www/hls/live.m3u8", "http://cdn/seg1.ts"); }).find("must name files beside it") !=
          std::string::npos);
}

TEST_CASE("the meter hears a -20 dBFS tone, then measures the silence after it") {
    LoudnessMeter meter(-50);
    meter.format(48000, 2);
    auto tone = sine(0.1, 2.0);
    meter.add(tone.data(), tone.size() / 2);
    LoudnessReading loud = meter.reading();
    CHECK(loud.heardSound);
    CHECK(loud.trailingSilence == 0);
    // A 1 kHz sine with peak 0.1 on both channels: -20 dBFS peak, about -20.7 LUFS.
    CHECK(loud.shortTermLufs == doctest::Approx(-20.7).epsilon(0.05));
    CHECK(loud.peakDbfs == doctest::Approx(-20).epsilon(0.01));
    auto quiet = zeros(3.5);
    meter.add(quiet.data(), quiet.size() / 2);
    LoudnessReading after = meter.reading();
    CHECK(after.seconds == doctest::Approx(5.5));
    // The 400 ms window still holds some tone for the first few steps of the silence.
    CHECK(after.trailingSilence >= 3.1);
    CHECK(after.trailingSilence <= 3.5);
    CHECK(after.heardSound);
    CHECK(after.peakDbfs == doctest::Approx(-20).epsilon(0.01));
    CHECK(after.shortTermLufs == -120);  // digital silence, floored
}

TEST_CASE("the meter keeps its reading across a change of format") {
    LoudnessMeter meter(-50);
    meter.format(48000, 2);
    auto tone = sine(0.5, 1.0);
    meter.add(tone.data(), tone.size() / 2);
    meter.format(44100, 2);
    auto quiet = zeros(1.0, 44100);
    meter.add(quiet.data(), quiet.size() / 2);
    LoudnessReading r = meter.reading();
    CHECK(r.seconds == doctest::Approx(2.0));
    CHECK(r.heardSound);
    CHECK(r.trailingSilence == doctest::Approx(1.0));
    CHECK(r.peakDbfs == doctest::Approx(-6.02).epsilon(0.01));
}

TEST_CASE("a very quiet tone below the threshold is silence") {
    LoudnessMeter meter(-50);
    meter.format(48000, 2);
    auto hiss = sine(0.0005, 2.0);  // about -66 dBFS
    meter.add(hiss.data(), hiss.size() / 2);
    LoudnessReading r = meter.reading();
    CHECK(!r.heardSound);
    CHECK(r.trailingSilence == doctest::Approx(2.0));
}

TEST_CASE("silence is tracked across runs, longer than one run's audio") {
    SilenceTracker tracker;
    const auto t0 = SilenceTracker::Clock::now();
    CHECK(tracker.observe(t0, reading(5, 0, true)) == 0ms);
    CHECK(tracker.observe(t0 + 5s, reading(5, 2, true)) == 2000ms);    // the last 2 s of this run were silent
    CHECK(tracker.observe(t0 + 10s, reading(5, 5, false)) == 7000ms);  // silent throughout: it goes on
    CHECK(tracker.current(t0 + 12s) == 9000ms);                        // a run with nothing new
    CHECK(tracker.observe(t0 + 15s, reading(5, 1, true)) == 1000ms);   // sound, then 1 s of silence again
    CHECK(tracker.observe(t0 + 20s, reading(5, 0, true)) == 0ms);
    CHECK(tracker.lastAudio() == t0 + 20s);
}

TEST_CASE("picking segments: only new ones, the newest within the window and max_bytes") {
    SourceNotes notes;
    SegmentCursor cursor;
    CHECK(cursor.fresh());
    // First run: the newest that fill the window (5 s of 2 s segments: three of them).
    auto first = cursor.pick({segment(1), segment(2), segment(3), segment(4), segment(5)}, 5, 1000, notes);
    CHECK(names(first) == std::vector<std::string>{"seg3.ts", "seg4.ts", "seg5.ts"});
    CHECK(notes.newSegments == 5);
    CHECK(notes.skippedSegments == 2);
    CHECK(!notes.continues);  // nothing decoded before
    // Next run: only what came since.
    notes = {};
    CHECK(names(cursor.pick({segment(3), segment(4), segment(5), segment(6), segment(7)}, 5, 1000, notes)) ==
          std::vector<std::string>{"seg6.ts", "seg7.ts"});
    CHECK(notes.continues);  // right after seg5: the decoder carries on
    notes = {};
    CHECK(cursor.pick({segment(5), segment(6), segment(7)}, 5, 1000, notes).empty());
    CHECK(notes.newSegments == 0);
    // The encoder started again: its media sequence went back, so everything is new.
    notes = {};
    CHECK(names(cursor.pick({segment(0), segment(1)}, 5, 1000, notes)) == std::vector<std::string>{"seg0.ts", "seg1.ts"});
    CHECK(!notes.continues);
    // Sizes: older ones that do not fit in max_bytes are skipped; a newest alone too large is an error.
    notes = {};
    CHECK(names(cursor.pick({segment(2, 2, 600), segment(3, 2, 600)}, 60, 1000, notes)) == std::vector<std::string>{"seg3.ts"});
    CHECK(!notes.continues);  // seg2 was skipped: a gap
    notes = {};
    CHECK(audioError([&] { cursor.pick({segment(4, 2, 1ULL << 30)}, 60, 16ULL << 20, notes); }) ==
          "seg4.ts is 1 GiB, more than max_bytes (16 MiB): not read");
    notes = {};
    CHECK(cursor.pick({segment(4, 2, 1ULL << 30)}, 60, 16ULL << 20, notes).empty());  // reported once, not every run
}

TEST_CASE("a directory scan leaves out the segment still being written") {
    TempDir dir;
    for (int i = 0; i < 4; ++i) setMtime(dir.write("seg" + std::to_string(i) + ".ts", "x"), std::chrono::seconds(40 - 2 * i));
    dir.write("live.m3u8", "#EXTM3U\n");
    setMtime(dir.write("seg4.ts", "partial"), 0s);  // 0 s old, the others 2 s apart
    SourceNotes notes;
    auto found = AudioSource::scanDirectory(dir.path(), "*.ts", notes);
    REQUIRE(found.size() == 4);
    CHECK(found.back().location == dir.path() + "/seg3.ts");
    CHECK(found.back().seconds == doctest::Approx(2.0).epsilon(0.01));
    CHECK(notes.skippedPartial);
    // Once it has not changed for longer than the usual gap, the encoder has stopped and it is complete.
    setMtime(dir.file("seg4.ts"), 30s);
    notes = {};
    found = AudioSource::scanDirectory(dir.path(), "*.ts", notes);
    CHECK(found.size() == 5);
    CHECK(!notes.skippedPartial);
    CHECK(audioError([&] { AudioSource::scanDirectory(dir.file("missing"), "*.ts", notes); }) ==
          "cannot read directory " + dir.file("missing") + ": No such file or directory");
}

TEST_CASE("the result: sound passes, a short silence passes, a long one is dead air, a format mismatch fails") {
    AudioSettings s = makeCheck("directory: hls\ncodec: aac\nsample_rate: 44100\nchannels: 2\nmin_bitrate: 96k\n")->settings();
    DecodeTotals totals;
    totals.format = StreamFormat{"aac", 44100, 2, 0};
    totals.seconds = 10;
    totals.packetBytes = 160000;  // 128 kbit/s over 10 s
    totals.inputs = 5;
    SourceNotes notes;
    notes.newSegments = 5;
    notes.what = "/srv/station/hls";
    LoudnessReading r = reading(10, 0, true);
    r.shortTermLufs = -18.34;
    r.maxMomentaryLufs = -17.0;
    r.peakDbfs = -3.01;

    Result ok = AudioCheck::judge(s, totals, r, 0ms, notes);
    CHECK(statusOf(ok) == "pass");
    CHECK(ok.summary == "sound at -18.3 LUFS (silence is below -50 LUFS)");
    CHECK(*ok.value == doctest::Approx(-18.34));
    CHECK(ok.unit == "LUFS");
    const Details expected = {{"level", "-18.3 LUFS short-term, loudest momentary -17 LUFS"},
                              {"silence", "none"},
                              {"codec", "aac"},
                              {"sample rate", "44100 Hz"},
                              {"channels", "2"},
                              {"bitrate", "128 kbit/s (measured)"},
                              {"peak", "-3.01 dBFS (sample peak)"},
                              {"decoded", "10 s from 5 new segments"},
                              {"source", "/srv/station/hls"}};
    CHECK(ok.details == expected);

    Result shortSilence = AudioCheck::judge(s, totals, r, 9400ms, notes);
    CHECK(statusOf(shortSilence) == "pass");
    CHECK(shortSilence.summary == "silent for 9.4 s, below -50 LUFS (max_silence 15 s)");

    Result dead = AudioCheck::judge(s, totals, r, 130s, notes);
    CHECK(statusOf(dead) == "fail");
    CHECK(dead.summary == "dead air: silent for 2 min 10 s (below -50 LUFS, longer than max_silence 15 s)");

    totals.format = StreamFormat{"mp3", 48000, 1, 64000};
    Result wrong = AudioCheck::judge(s, totals, r, 0ms, notes);
    CHECK(statusOf(wrong) == "fail");
    CHECK(
        wrong.summary ==
        "codec mp3, expected aac; sample rate 48000 Hz, expected 44100 Hz; 1 channel, expected 2; bitrate 64 kbit/s, below min_bitrate 96 kbit/s");
}

TEST_CASE("a folder with no segment is an error; an unreadable one names the reason") {
    TempDir dir;
    auto check = makeCheck("directory: " + dir.path() + "\n");
    CheckContext ctx{"audio", "Audio", 1s, 1s, nullptr};
    Result r = check->run(ctx);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "no segment to decode in " + dir.path() + " matching *.ts");
    auto missing = makeCheck("directory: " + dir.file("nope") + "\n");
    CHECK(missing->run(ctx).summary == "cannot read directory " + dir.file("nope") + ": No such file or directory");
}
