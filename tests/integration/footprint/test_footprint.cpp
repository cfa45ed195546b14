// Memory regression guard for the daemon running the seed station's pipeline (issue 17): resident
// memory stays under a generous bound (1.5x the 16 MiB measured with tests/bench/memory/bench_footprint
// on Debian 12), and the libraries cut from it stay out. Not run under sanitizers, whose shadow
// memory is most of the process.
#include "SeedPipeline.h"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

constexpr long kResidentBoundKiB = 24 * 1024;

std::string mappedFiles(int pid) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    return std::string(std::istreambuf_iterator<char>(maps), {});
}

}  // namespace

TEST_CASE("footprint: the seed pipeline runs under 24 MiB resident and loads no Poco::Data") {
    if (kSanitized) return;
    TempDir dir;
    const std::string pipeline = writeSeedPipeline(dir, "100ms");
    ChildProcess daemon({watchdogBinary(), "run", pipeline, "--plugin-path", pluginDir()});
    REQUIRE(waitUntil([&] { return daemon.output().find(" is now ") != std::string::npos; }, 20s));
    waitUntil([] { return false; }, 1s);  // ten rounds of every check, the sink's batches written
    REQUIRE(daemon.running());
    const ProcessFootprint f = readFootprint(daemon.pid());
    INFO("RSS " << f.rssKiB << " KiB, Pss " << f.pssKiB << " KiB, threads " << f.threads);
    CHECK(f.rssKiB < kResidentBoundKiB);
    const std::string maps = mappedFiles(daemon.pid());
    CHECK(maps.find("sqlite.so") != std::string::npos);
    CHECK(maps.find("libPocoData") == std::string::npos);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(10s) == 0);
}
