// process_cpu against ps over N readings of a process burning about half a core, and the CPU cost of
// one run (matching by name scans every /proc entry; by pidfile reads one).
//
// ps's %CPU is CPU time over the process's whole life with the age cut to whole seconds (procps
// pr_pcpu), so each reading k uses its own check whose baseline was taken at the burner's start, and
// is read together with ps just after the burner's age passes k whole seconds: both see one window.
#include "ProcessCpuCheck.h"
#include "ProcReader.h"

#include "TestSupport.h"
#include "config/ConfigNode.h"

#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace watchdog;
using namespace watchdog::process_cpu;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<ProcessCpuCheck> make(const std::string& yaml) {
    auto check = std::make_unique<ProcessCpuCheck>();
    Options opts(parseYaml(yaml, "bench.yaml"), "checks.cpu", "/tmp");
    check->configure(opts);
    return check;
}

double ageSeconds(int pid) {
    std::ifstream uptime("/proc/uptime");
    double up = 0;
    uptime >> up;
    auto st = readProcStat(pid);
    return st ? up - static_cast<double>(st->startTime) / static_cast<double>(clockTicksPerSecond()) : 0;
}

double cpuSeconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    const int readings = argc > 1 ? std::atoi(argv[1]) : 20;
    CheckContext ctx{"cpu", "cpu", 1s, 10s, nullptr};
    std::vector<std::unique_ptr<ProcessCpuCheck>> checks;
    for (int i = 0; i < readings; ++i) checks.push_back(make("name: benchburner\nbaseline: 0s\n"));

    pid_t burner = ::fork();
    if (burner == 0) {
        ::prctl(PR_SET_NAME, "benchburner", 0, 0, 0);
        while (true) {
            auto until = std::chrono::steady_clock::now() + 50ms;
            while (std::chrono::steady_clock::now() < until) {
            }
            std::this_thread::sleep_for(50ms);
        }
    }
    waitUntil(
        [&] {
            auto st = readProcStat(burner);
            return st && st->comm == "benchburner";
        },
        5s, 1ms);
    for (auto& c : checks) c->run(ctx);  // every baseline at the burner's start

    double sumAbs = 0, maxAbs = 0;
    std::printf("%-3s %10s %10s %8s\n", "k", "check %", "ps %", "error");
    for (int k = 1; k <= readings; ++k) {
        waitUntil([&] { return ageSeconds(burner) >= k + 0.02; }, 60s, 2ms);
        Result r = checks[static_cast<std::size_t>(k - 1)]->run(ctx);
        auto [rc, out] = runCommand({"ps", "-o", "%cpu=", "-p", std::to_string(burner)}, 5s);
        double ps = rc == 0 ? std::atof(out.c_str()) : NAN;
        double err = std::fabs(r.value.value_or(NAN) - ps);
        sumAbs += err;
        maxAbs = std::max(maxAbs, err);
        std::printf("%-3d %10.2f %10.1f %8.2f\n", k, r.value.value_or(NAN), ps, err);
    }
    ::kill(burner, SIGKILL);
    ::waitpid(burner, nullptr, 0);
    std::printf("process_cpu vs ps over %d readings: mean |error| %.2f points, max %.2f points\n", readings, sumAbs / readings, maxAbs);

    // CPU cost of one run once warmed up (previous sample present): by name (scans /proc) and by pidfile.
    TempDir dir;
    dir.write("self.pid", std::to_string(::getppid()) + "\n");
    std::size_t procs = findProcesses([](int, const std::string&) { return true; }).size();
    for (const auto& [label, yaml] : std::vector<std::pair<std::string, std::string>>{
             {"by name (" + std::to_string(procs) + " processes in /proc)", "name: systemd\nbaseline: 0s\n"},
             {"by cmdline (" + std::to_string(procs) + " processes in /proc)", "cmdline: liquidsoap\nbaseline: 0s\n"},
             {"by pidfile", "pidfile: " + dir.file("self.pid") + "\nbaseline: 0s\n"}}) {
        auto check = make(yaml);
        check->run(ctx);
        const int runs = 200;
        double before = cpuSeconds();
        for (int i = 0; i < runs; ++i) check->run(ctx);
        std::printf("CPU cost of one process_cpu run %s: %.1f us\n", label.c_str(), (cpuSeconds() - before) / runs * 1e6);
    }
    return 0;
}
