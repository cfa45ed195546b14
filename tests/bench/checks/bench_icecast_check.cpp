// The icecast check's round trip (connect, GET /admin/stats, parse, judge) to a real icecast2 on
// loopback with one real ffmpeg source connected. Prints min / median / p95 / max.
#include "IcecastCheck.h"

#include "FfmpegEncoder.h"
#include "IcecastServer.h"
#include "TestSupport.h"
#include "config/ConfigNode.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace watchdog;
using namespace watchdog::icecast;
using namespace watchdog::test;
using SteadyClock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 200;
    IcecastServer server;
    FfmpegEncoder encoder(FfmpegEncoder::icecastOnly(server.sourceUrl("/live")));
    if (!server.waitForSource("/live", std::chrono::seconds(15))) {
        std::fprintf(stderr, "no source connected: %s\n", encoder.output().c_str());
        return 1;
    }
    IcecastCheck check;
    Options opts(parseYaml("url: " + server.url() + "\npassword: " + server.adminPassword() + "\n", "bench.yaml"), "checks.icecast",
                 "/tmp");
    check.configure(opts);
    CheckContext ctx{"icecast", "Icecast Sources", std::chrono::seconds(60), std::chrono::seconds(5), nullptr};
    check.run(ctx);
    std::vector<double> ms;
    std::string summary;
    int failures = 0;
    for (int i = 0; i < runs; ++i) {
        auto start = SteadyClock::now();
        Result r = check.run(ctx);
        ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
        if (r.status != Status::Pass) ++failures;
        summary = r.summary;
    }
    std::sort(ms.begin(), ms.end());
    std::printf(
        "icecast check round trip over %d runs: min %.2f ms, median %.2f ms, p95 %.2f ms, max %.2f ms; "
        "%d not passing; last: %s\n",
        runs, ms.front(), ms[ms.size() / 2], ms[ms.size() * 95 / 100], ms.back(), failures, summary.c_str());
    return 0;
}
