// The daemon's footprint and startup with the seed station's pipeline (four checks, Discord and AWS
// start in dry run, SQLite history; then also MySQL into a real MariaDB), run by hand:
//   build/bench/bench_footprint [SECONDS]        (default 10: how long each pipeline runs)
// Prints the time from exec of `run` to its first check result (the first "check ... is now" log
// line, mean of 10), and resident memory, Pss, private dirty memory, threads and shared-object
// mappings after SECONDS with every check every second. Monit side by side: compare_monit.sh.
#include "MariaDbServer.h"
#include "SeedPipeline.h"

#include <cstdio>
#include <iostream>
#include <sstream>

using namespace watchdog::test;
using namespace std::chrono;

namespace {

std::vector<std::string> runCommand(const std::string& pipeline) {
    return {watchdogBinary(), "run", pipeline, "--plugin-path", pluginDir()};
}

bool firstResultLogged(const ChildProcess& daemon) { return daemon.output().find(" is now ") != std::string::npos; }

void printFootprint(const char* what, const ProcessFootprint& f) {
    std::printf("%-34s RSS %5.1f MiB  Pss %5.1f MiB  private dirty %4.1f MiB  threads %2ld  .so mappings %ld\n", what, f.rssKiB / 1024.0,
                f.pssKiB / 1024.0, f.privateDirtyKiB / 1024.0, f.threads, f.sharedObjects);
}

ProcessFootprint footprintAfter(const std::string& pipeline, seconds settle) {
    ChildProcess daemon(runCommand(pipeline));
    if (!waitUntil([&] { return firstResultLogged(daemon); }, seconds(20)))
        throw std::runtime_error("no check result within 20 s: " + daemon.output());
    waitUntil([] { return false; }, settle);
    return readFootprint(daemon.pid());
}

}  // namespace

int main(int argc, char** argv) {
    const seconds settle(argc > 1 ? std::stoi(argv[1]) : 10);
    try {
        double total = 0;
        const int rounds = 10;
        for (int i = 0; i < rounds; ++i) {
            TempDir dir;
            const std::string pipeline = writeSeedPipeline(dir, "1s");
            const auto began = steady_clock::now();
            ChildProcess daemon(runCommand(pipeline));
            if (!waitUntil([&] { return firstResultLogged(daemon); }, seconds(20), milliseconds(1)))
                throw std::runtime_error("no check result within 20 s: " + daemon.output());
            total += duration<double, std::milli>(steady_clock::now() - began).count();
        }
        std::printf("exec of run to the first check result (seed pipeline): %.1f ms (mean of %d)\n", total / rounds, rounds);
        {
            TempDir dir;
            printFootprint("seed pipeline (SQLite)", footprintAfter(writeSeedPipeline(dir, "1s"), settle));
        }
        {
            MariaDbServer db;
            TempDir dir;
            std::string mysql = "  - plugin: mysql\n";
            std::istringstream options(db.sinkOptionsYaml());
            for (std::string line; std::getline(options, line);) mysql += "    " + line + "\n";
            printFootprint("seed pipeline (SQLite and MySQL)", footprintAfter(writeSeedPipeline(dir, "1s", mysql), settle));
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_footprint: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
