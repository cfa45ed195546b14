// What `isolate: process` costs, against the same check in the daemon, in the same run (by hand):
//   build/bench/bench_isolation [runs]
// Prints: the time of one run in process and isolated (and their ratio), the first isolated run
// (starting the check process and loading the plugin), and for a daemon with 4 checks every 100 ms the
// resident memory (RSS and PSS, daemon plus its check processes) and CPU, in process and isolated.
#include "TestSupport.h"
#include "config/ConfigNode.h"
#include "engine/Scheduler.h"
#include "isolation/IsolatedCheck.h"
#include "plugins/PluginLoader.h"

#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono;

namespace {

/// A field of /proc/PID/status or smaps_rollup in KiB ("VmRSS:", "Pss:").
long kib(const std::string& file, const std::string& field) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
    return 0;
}

double cpuSeconds(int pid) {
    const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string f;
    unsigned long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14) utime = std::stoul(f);
        if (i == 15) stime = std::stoul(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// The daemon and its check processes.
std::vector<int> family(int daemon) {
    std::vector<int> out{daemon};
    DIR* proc = ::opendir("/proc");
    while (dirent* e = proc ? ::readdir(proc) : nullptr) {
        const int pid = std::atoi(e->d_name);
        if (pid <= 0) continue;
        const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
        if (stat.empty()) continue;
        std::istringstream fields(stat.substr(stat.rfind(')') + 2));
        std::string state;
        int parent = 0;
        fields >> state >> parent;
        if (parent == daemon) out.push_back(pid);
    }
    if (proc) ::closedir(proc);
    return out;
}

struct Footprint {
    long rss = 0, pss = 0;
    double cpuMsPerSecond = 0;
    std::size_t processes = 0;
};

/// A daemon with 4 scripted checks every 100 ms, measured after a warm-up over `seconds`.
Footprint daemonFootprint(bool isolated, int seconds) {
    TempDir dir;
    std::string body = "watchdog:\n  state_file: state.json\nchecks:\n";
    for (int i = 0; i < 4; ++i) {
        const std::string id = "c" + std::to_string(i);
        dir.write(id + ".txt", "count\n");
        body += "  " + id + ": { plugin: scripted, file: " + id + ".txt, runs_file: runs.txt, interval: 100ms" +
                (isolated ? ", isolate: process" : "") + " }\n";
    }
    body += "sinks:\n  - plugin: sink_only\n";
    const std::string file = dir.write("pipeline.yaml", body);
    ChildProcess daemon({watchdogBinary(), "run", file, "--plugin-path", buildDir() + "/tests/plugins"});
    waitUntil(
        [&] {
            const std::string runs = readFile(dir.file("runs.txt"));
            return std::count(runs.begin(), runs.end(), '\n') >= 8;
        },
        std::chrono::seconds(10));
    std::vector<int> all = family(daemon.pid());
    double cpu0 = 0;
    for (int pid : all) cpu0 += cpuSeconds(pid);
    waitUntil([] { return false; }, std::chrono::seconds(seconds), std::chrono::seconds(1));
    Footprint f;
    all = family(daemon.pid());
    double cpu1 = 0;
    for (int pid : all) {
        cpu1 += cpuSeconds(pid);
        f.rss += kib("/proc/" + std::to_string(pid) + "/status", "VmRSS:");
        f.pss += kib("/proc/" + std::to_string(pid) + "/smaps_rollup", "Pss:");
    }
    f.processes = all.size();
    f.cpuMsPerSecond = (cpu1 - cpu0) * 1000 / seconds;
    return f;
}

/// The scripted plugin's block, reading `script` from `dir`.
ConfigNodePtr scriptedBlock(const TempDir& dir) { return parseYaml("plugin: scripted\nfile: script.txt\n", dir.file("pipeline.yaml")); }

RunnerSetup scriptedSetup(const TempDir& dir) {
    RunnerSetup s;
    s.library = buildDir() + "/tests/plugins/scripted.so";
    s.plugin = "scripted";
    s.where = "checks.bench";
    s.baseDirectory = dir.path();
    s.block = scriptedBlock(dir);
    return s;
}

/// Mean microseconds of one run over `runs`.
double perRunMicros(Check& check, int runs) {
    CheckContext context{"bench", "bench", std::chrono::seconds(1), std::chrono::seconds(10), nullptr};
    runCheckSafely(check, context);  // warm: the isolated one starts its process here
    const auto began = steady_clock::now();
    for (int i = 0; i < runs; ++i) runCheckSafely(check, context);
    return duration<double, std::micro>(steady_clock::now() - began).count() / runs;
}

}  // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 2000;
    TempDir dir;
    dir.write("script.txt", "pass ok\n");
    std::cout << std::fixed << std::setprecision(1);

    PluginLoader loader({buildDir() + "/tests/plugins"});
    std::unique_ptr<Check> inProcess = loader.createCheck("scripted");
    inProcess->configure(Options(scriptedBlock(dir), "checks.bench", dir.path()));
    IsolatedCheck isolated(scriptedSetup(dir), watchdogBinary());
    const double inside = perRunMicros(*inProcess, runs);
    const double outside = perRunMicros(isolated, runs);
    std::cout << "one run, in process: " << inside << " us; isolated: " << outside << " us (" << outside / inside << " x, +"
              << outside - inside << " us per run; mean of " << runs << ")\n";

    double firstRuns = 0;
    const int starts = 20;
    for (int i = 0; i < starts; ++i) {
        IsolatedCheck fresh(scriptedSetup(dir), watchdogBinary());
        CheckContext context{"bench", "bench", std::chrono::seconds(1), std::chrono::seconds(10), nullptr};
        const auto began = steady_clock::now();
        runCheckSafely(fresh, context);
        firstRuns += duration<double, std::milli>(steady_clock::now() - began).count();
    }
    std::cout << "first isolated run (start the check process, load the plugin, run): " << firstRuns / starts << " ms (mean of " << starts
              << ")\n";

    const int seconds = 20;
    const Footprint plain = daemonFootprint(false, seconds);
    const Footprint apart = daemonFootprint(true, seconds);
    std::cout << "daemon, 4 checks every 100 ms, in process: RSS " << plain.rss << " KiB, PSS " << plain.pss << " KiB, CPU "
              << std::setprecision(2) << plain.cpuMsPerSecond << " ms/s (" << plain.processes << " process)\n";
    std::cout << "daemon, 4 checks every 100 ms, isolated:   RSS " << apart.rss << " KiB, PSS " << apart.pss << " KiB, CPU "
              << apart.cpuMsPerSecond << " ms/s (" << apart.processes << " processes)\n";
    std::cout << std::setprecision(1) << "extra per isolated check: RSS " << (apart.rss - plain.rss) / 4.0 << " KiB, PSS "
              << (apart.pss - plain.pss) / 4.0 << " KiB; CPU " << std::setprecision(2)
              << apart.cpuMsPerSecond / std::max(plain.cpuMsPerSecond, 0.01) << " x in process\n";
    return 0;
}
