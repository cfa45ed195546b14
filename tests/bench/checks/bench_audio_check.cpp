// The audio check's CPU cost: one run on 10 s of 128 kbit/s stereo AAC (44.1 kHz), as 2 s HLS segments
// and as one 10 s segment, beside the ffmpeg program's own `-af ebur128` (and a plain decode) on the
// same file. "10 s new" is a running check that finds 10 s of new segments (its interval's worth at
// 10 s); "first run" is a check's first run (it also sets up libebur128 and the decoder); "nothing new"
// reads the playlist and decodes nothing. CPU time is the run's thread time (CLOCK_THREAD_CPUTIME_ID,
// user + system); ffmpeg's is the whole process's, as a child. Budget: under 20 ms per run (issue 13).
// Last, compare_monit.sh's station: one new 1 s segment of 64 kbit/s mono AAC per run (issue 17 goal 4);
// `bench_audio_check RUNS station` measures only that, for profiling.
#include "AudioCheck.h"
#include "AudioFixtures.h"

#include "TestSupport.h"
#include "config/ConfigNode.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <sys/resource.h>
#include <vector>

using namespace watchdog;
using namespace watchdog::audio;
using namespace watchdog::test;

namespace {

double threadCpuMs() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double childrenCpuMs() {
    rusage usage{};
    ::getrusage(RUSAGE_CHILDREN, &usage);
    auto ms = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) * 1e3 + static_cast<double>(tv.tv_usec) / 1e3; };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::unique_ptr<AudioCheck> makeCheck(const std::string& yaml) {
    auto check = std::make_unique<AudioCheck>();
    Options opts(parseYaml(yaml, "bench.yaml"), "checks.bench", "/tmp");
    check->configure(opts);
    return check;
}

struct Cost {
    double steadyMs;  ///< a running check's run when 10 s of new segments have appeared
    double steadyMinMs;
    double freshMs;       ///< a check's first run (sets up libebur128 and the decoder)
    double nothingNewMs;  ///< a run that finds nothing new: reads the playlist, decodes nothing
    std::string summary;
};

// The folder's playlist, renumbered: the same segments under new media sequence numbers read as new
// audio, so a long-lived check decodes 10 s on every run, as it does at a 10 s interval.
void renumber(const std::string& folder, long long sequence) {
    std::string text = readFile(folder + "/live.m3u8");
    const std::string tag = "#EXT-X-MEDIA-SEQUENCE:";
    const auto at = text.find(tag);
    if (at != std::string::npos)
        text.replace(at, text.find('\n', at) - at, tag + std::to_string(sequence));
    else
        text.replace(text.find('\n') + 1, 0, tag + std::to_string(sequence) + "\n");
    FILE* f = std::fopen((folder + "/bench.m3u8").c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
}

Cost measure(const std::string& folder, int runs, bool steadyOnly) {
    const CheckContext ctx{"bench", "bench", std::chrono::seconds(60), std::chrono::seconds(30), nullptr};
    const std::string yaml = "directory: " + folder + "\nplaylist: bench.m3u8\n";
    renumber(folder, 0);
    std::vector<double> steady, fresh, nothing;
    std::string summary;
    auto running = makeCheck(yaml);
    running->run(ctx);  // warm the page cache and the libraries
    for (int i = 0; i < runs; ++i) {
        renumber(folder, 1000LL * (i + 1));
        double t = threadCpuMs();
        summary = running->run(ctx).summary;
        steady.push_back(threadCpuMs() - t);
        t = threadCpuMs();
        running->run(ctx);
        nothing.push_back(threadCpuMs() - t);
        if (steadyOnly) {
            fresh.push_back(0);
            continue;
        }
        auto first = makeCheck(yaml);
        t = threadCpuMs();
        first->run(ctx);
        fresh.push_back(threadCpuMs() - t);
    }
    return {median(steady), *std::min_element(steady.begin(), steady.end()), median(fresh), median(nothing), summary};
}

double ffmpegMs(const std::vector<std::string>& argv, int runs) {
    std::vector<double> cost;
    for (int i = 0; i < runs; ++i) {
        const double before = childrenCpuMs();
        auto [code, out] = runCommand(argv, std::chrono::seconds(60));
        if (code != 0) std::fprintf(stderr, "ffmpeg failed: %s\n", out.c_str());
        cost.push_back(childrenCpuMs() - before);
    }
    return median(cost);
}

// compare_monit.sh's station (COMPARE_MONIT_AUDIO=hls): a run every second finds one new 1 s segment.
int measureStation(TempDir& dir, int runs, bool steadyOnly) {
    encodeHls(dir.file("station"), 1, 1, 0, "-c:a aac -b:a 64k -ac 1");
    Cost c = measure(dir.file("station"), runs, steadyOnly);
    std::printf("\n1 s segments of 64 kbit/s mono AAC (compare_monit's station); median of %d runs, CPU ms\n", runs);
    std::printf("%-40s %13.2f %9.2f %10.2f %12.2f   %s\n", "audio check, one new 1 s segment", c.steadyMs, c.steadyMinMs, c.freshMs,
                c.nothingNewMs, c.summary.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 31;
    const bool steadyOnly = argc > 2 && std::string(argv[2]) == "steady";    // for profiling: no fresh checks, no ffmpeg
    const bool stationOnly = argc > 2 && std::string(argv[2]) == "station";  // for profiling: the station's steady runs only
    TempDir dir;
    if (stationOnly) return measureStation(dir, runs, true);
    encodeHls(dir.file("segments"), 10, 2);  // 2 s segments, as a station writes them
    encodeHls(dir.file("single"), 10, 10);   // the same 10 s as one segment
    const std::string file = dir.file("single/seg000.ts");
    std::printf("10 s of 128 kbit/s AAC, stereo, 44.1 kHz; median of %d runs, CPU ms\n\n", runs);
    std::printf("%-40s %13s %9s %10s %12s   %s\n", "what", "10 s new", "(min)", "first run", "nothing new", "result");
    for (const auto& [label, folder] : {std::make_pair("audio check, 2 s segments (6 files)", dir.file("segments")),
                                        std::make_pair("audio check, one 10 s segment", dir.file("single"))}) {
        Cost c = measure(folder, runs, steadyOnly);
        std::printf("%-40s %13.2f %9.2f %10.2f %12.2f   %s\n", label, c.steadyMs, c.steadyMinMs, c.freshMs, c.nothingNewMs,
                    c.summary.c_str());
    }
    measureStation(dir, runs * 5 + 1, steadyOnly);
    if (steadyOnly) return 0;
    const std::vector<std::string> ebur128 = {"ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-i",
                                              file,     "-af",      "ebur128",      "-f",       "null",      "-"};
    const std::vector<std::string> decodeOnly = {"ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error",
                                                 "-i",     file,       "-f",           "null",     "-"};
    const int ffmpegRuns = std::max(5, runs / 3);
    std::printf("%-40s %13.2f\n", "ffmpeg -af ebur128 -f null - (process)", ffmpegMs(ebur128, ffmpegRuns));
    std::printf("%-40s %13.2f\n", "ffmpeg -f null - (decode only, process)", ffmpegMs(decodeOnly, ffmpegRuns));
    return 0;
}
