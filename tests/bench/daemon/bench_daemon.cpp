// The daemon's own cost and speed, on scripted checks (no network), run by hand:
//   build/bench/bench_daemon
// Prints: time from exec to the first check result, time from a check turning bad to the warning
// reaching an action, and idle RSS and CPU with 4 checks every second for 60 s.
#include "TestSupport.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

using namespace watchdog::test;
using namespace std::chrono;

namespace {

long rssKiB(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

double cpuSeconds(int pid) {
    std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string f;
    unsigned long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14) utime = std::stoul(f);
        if (i == 15) stime = std::stoul(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string pipeline(const TempDir& dir, const std::string& interval, int checks) {
    std::string body = "watchdog:\n  state_file: state.json\nchecks:\n";
    for (int i = 0; i < checks; ++i) {
        const std::string id = "c" + std::to_string(i);
        dir.write(id + ".txt", "pass\n");
        body += "  " + id + ": { plugin: scripted, file: " + id + ".txt, runs_file: runs.txt, interval: " + interval + " }\n";
    }
    body +=
        "actions:\n  notes: { plugin: recorder, file: notes.jsonl }\n"
        "rules:\n  failover:\n    when: 2 of [c0, c1]\n    warn: notes\n    wait: 1h\nsinks:\n  - plugin: sink_only\n";
    return dir.write("pipeline.yaml", body);
}

std::vector<std::string> command(const std::string& file) {
    return {watchdogBinary(), "run", file, "--plugin-path", buildDir() + "/tests/plugins"};
}

}  // namespace

int main() {
    {
        double total = 0;
        const int rounds = 10;
        for (int i = 0; i < rounds; ++i) {
            TempDir dir;
            const auto file = pipeline(dir, "1s", 4);
            const auto began = steady_clock::now();
            ChildProcess daemon(command(file));
            waitUntil([&] { return !readFile(dir.file("runs.txt")).empty(); }, seconds(10), milliseconds(1));
            total += duration<double, std::milli>(steady_clock::now() - began).count();
        }
        std::cout << "exec to first check result: " << total / rounds << " ms (mean of " << rounds << ")\n";
    }
    {
        TempDir dir;
        const auto file = pipeline(dir, "20ms", 2);
        ChildProcess daemon(command(file));
        waitUntil([&] { return !readFile(dir.file("runs.txt")).empty(); }, seconds(10));
        waitUntil([] { return false; }, milliseconds(200));
        const auto began = steady_clock::now();
        dir.write("c0.txt", "fail\n");
        dir.write("c1.txt", "fail\n");
        waitUntil([&] { return readFile(dir.file("notes.jsonl")).find("\"warning\"") != std::string::npos; }, seconds(10), milliseconds(1));
        std::cout << "check turns bad to warning delivered (interval 20ms): "
                  << duration<double, std::milli>(steady_clock::now() - began).count() << " ms\n";
    }
    {
        TempDir dir;
        const auto file = pipeline(dir, "1s", 4);
        ChildProcess daemon(command(file));
        waitUntil([&] { return !readFile(dir.file("runs.txt")).empty(); }, seconds(10));
        const double cpu0 = cpuSeconds(daemon.pid());
        waitUntil([] { return false; }, seconds(60), seconds(1));
        const double cpu1 = cpuSeconds(daemon.pid());
        std::cout << "idle, 4 checks every 1s, 60 s: RSS " << rssKiB(daemon.pid()) << " KiB, CPU " << (cpu1 - cpu0) * 1000 / 60
                  << " ms per second (" << (cpu1 - cpu0) * 100 / 60 << "% of a core)\n";
    }
    return 0;
}
