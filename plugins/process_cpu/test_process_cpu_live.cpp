// Integration tests: process_cpu against real processes (a burner using half a core, sleepers,
// processes that vanish, restart or exit mid-reading), compared with ps.
#include "ProcessCpuCheck.h"
#include "ProcReader.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include "plugins/PluginLoader.h"

#include <doctest/doctest.h>

#include <cmath>
#include <csignal>
#include <fstream>
#include <regex>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace watchdog;
using namespace watchdog::process_cpu;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::string detailOf(const Result& r, const std::string& key) {
    for (const auto& [k, v] : r.details)
        if (k == key) return v;
    return "";
}

std::unique_ptr<ProcessCpuCheck> makeCheck(const std::string& yaml) { return configure<ProcessCpuCheck>(yaml, "checks.cpu", "/tmp"); }

Result runOnce(ProcessCpuCheck& check) {
    CheckContext ctx{"cpu", "Liquidsoap CPU", 1s, 5s, nullptr};
    return check.run(ctx);
}

// A forked copy of this test renamed (comm) to `name`, running `body` until killed.
class NamedChild {
public:
    NamedChild(const std::string& name, void (*body)()) {
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::prctl(PR_SET_NAME, name.c_str(), 0, 0, 0);
            body();
            _exit(0);
        }
        // The rename happens in the child: wait until /proc shows it.
        REQUIRE(waitUntil(
            [&] {
                auto st = readProcStat(pid_);
                return st && st->comm == name;
            },
            5s, 1ms));
    }
    ~NamedChild() { kill(); }
    int pid() const { return pid_; }
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

private:
    int pid_ = -1;
};

// Busy for 50 ms, asleep for 50 ms: half a core.
void burnHalfCore() {
    while (true) {
        auto until = std::chrono::steady_clock::now() + 50ms;
        while (std::chrono::steady_clock::now() < until) {
        }
        std::this_thread::sleep_for(50ms);
    }
}

// Busy all the time: a whole core when the machine has one to spare.
void burnWholeCore() {
    volatile unsigned long n = 0;
    while (true) n = n + 1;
}

// Busy for 2 ms every 100 ms: 2 %, as a quiet encoder (ffmpeg on a muted input) uses.
void burnTwoPercent() {
    while (true) {
        auto until = std::chrono::steady_clock::now() + 2ms;
        while (std::chrono::steady_clock::now() < until) {
        }
        std::this_thread::sleep_for(98ms);
    }
}

void sleepForever() {
    while (true) ::pause();
}

// Seconds since the process started, from /proc/uptime and its start time in clock ticks.
double ageSeconds(int pid) {
    std::ifstream uptime("/proc/uptime");
    double up = 0;
    uptime >> up;
    auto st = readProcStat(pid);
    return st ? up - static_cast<double>(st->startTime) / static_cast<double>(clockTicksPerSecond()) : 0;
}

// ps's %CPU: CPU time over the whole life of the process, with the age cut to whole seconds (procps
// pr_pcpu). Read just after the age passes a whole second, that window is the process's life so far.
double psPercent(int pid) {
    auto [rc, out] = runCommand({"ps", "-o", "%cpu=", "-p", std::to_string(pid)}, 5s);
    REQUIRE_MESSAGE(rc == 0, "ps failed: " << out);
    return std::stod(out);
}

}  // namespace

TEST_CASE("a process using half a core reads within 5 points of ps for the same window") {
    REQUIRE_MESSAGE(!findProgram("ps").empty(), "ps is not installed (apt-get install procps)");
    NamedChild burner("burner50", burnHalfCore);
    auto check = makeCheck("name: burner50\nbaseline: 0s\nmin_percent: 1\n");
    // The baseline sample is taken right at the burner's start, as ps's window starts there too.
    Result first = runOnce(*check);
    CHECK(statusOf(first) == "pass");
    CHECK(first.summary == "burner50 (pid " + std::to_string(burner.pid()) + "), warming up: CPU is measured from the next run");
    CHECK_FALSE(first.value);

    REQUIRE(waitUntil([&] { return ageSeconds(burner.pid()) >= 3.02; }, 10s, 2ms));
    Result reading = runOnce(*check);
    double ps = psPercent(burner.pid());
    REQUIRE(reading.value);
    MESSAGE("process_cpu " << *reading.value << "% vs ps " << ps << "%");
    CHECK(std::fabs(*reading.value - ps) <= 5.0);
    CHECK(*reading.value > 1.0);  // it did burn (how much depends on the machine's load)
    CHECK(statusOf(reading) == "pass");
    CHECK(reading.unit == "%");
    INFO(reading.summary);
    CHECK(std::regex_match(reading.summary, std::regex("burner50 at [0-9]+(\\.[0-9])? % CPU \\(min 1 %\\)")));
    CHECK(std::regex_match(detailOf(reading, "window"), std::regex("[0-9]+(\\.[0-9])? s")));
}

TEST_CASE("a sleeping process reads near 0 and fails the minimum; once gone it fails by name") {
    NamedChild sleeper("sleeper", sleepForever);
    auto check = makeCheck("name: sleeper\nmin_percent: 5\nbaseline: 200ms\n");
    Result r = runOnce(*check);
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "sleeper at 0 % CPU, below min_percent 5 %");
    REQUIRE(r.value);
    CHECK(*r.value < 1.0);
    // The next run measures from the previous sample: no new baseline wait.
    Result again = runOnce(*check);
    CHECK(again.summary == "sleeper at 0 % CPU, below min_percent 5 %");

    sleeper.kill();
    Result gone = runOnce(*check);
    CHECK(statusOf(gone) == "fail");
    CHECK(gone.summary == "no process named sleeper");
}

TEST_CASE("a process at 2 % reads above 0 in every short window (thread run times, not 10 ms ticks)") {
    NamedChild quiet("quiet2", burnTwoPercent);
    // Each fresh check measures over its 200 ms baseline: 4 ms of CPU, less than one clock tick, which
    // tick counting reads as 0 % about one window in four.
    for (int window = 0; window < 10; ++window) {
        auto check = makeCheck("name: quiet2\nbaseline: 200ms\nmin_percent: 0.1\n");
        Result r = runOnce(*check);
        REQUIRE(r.value);
        INFO("window " << window << ": " << r.summary);
        CHECK(*r.value > 0.5);
        CHECK(*r.value < 20.0);
        CHECK(statusOf(r) == "pass");
    }
}

TEST_CASE("a restarted process (new pid) warms up again instead of guessing") {
    auto check = makeCheck("name: restarter\nbaseline: 0s\n");
    int firstPid = 0;
    {
        NamedChild one("restarter", sleepForever);
        firstPid = one.pid();
        CHECK(runOnce(*check).summary.find("warming up") != std::string::npos);
        CHECK(runOnce(*check).summary == "restarter at 0 % CPU");
    }
    NamedChild two("restarter", sleepForever);
    Result r = runOnce(*check);
    CHECK(statusOf(r) == "pass");
    CHECK(r.summary == "restarter (pid " + std::to_string(two.pid()) + ") restarted, warming up: CPU is measured from the next run");
    CHECK(r.details == Details{{"restarted", "pid " + std::to_string(firstPid) + " -> " + std::to_string(two.pid())}});
}

TEST_CASE("a process that exits during the baseline window fails saying so") {
    NamedChild quitter("quitter", [] {
        std::this_thread::sleep_for(150ms);
        _exit(0);
    });
    auto check = makeCheck("name: quitter\nbaseline: 1s\n");
    Result r = runOnce(*check);  // the child is not reaped: a zombie counts as exited
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "quitter (pid " + std::to_string(quitter.pid()) + ") exited during the reading");
}

TEST_CASE("command line, regex and pidfile matching; several matches summed or the oldest taken") {
    ChildProcess a({"sleep", "31337"});
    std::this_thread::sleep_for(20ms);  // distinct start times for "oldest"
    ChildProcess b({"sleep", "31337"});
    REQUIRE(waitUntil([&] { return readCmdline(b.pid()) == "sleep 31337"; }, 5s, 5ms));

    Result sum = runOnce(*makeCheck("cmdline: sleep 31337\nbaseline: 100ms\n"));
    CHECK(statusOf(sum) == "pass");
    CHECK(sum.summary == "'sleep 31337' in the command line (2 processes) at 0 % CPU");
    CHECK(sum.details.front() == std::pair<std::string, std::string>{"pid", std::to_string(a.pid()) + ", " + std::to_string(b.pid())});

    Result oldest = runOnce(*makeCheck("cmdline_regex: '^sleep 3133[0-9]$'\nmultiple: oldest\nbaseline: 100ms\n"));
    CHECK(oldest.summary == "command line matching /^sleep 3133[0-9]$/ at 0 % CPU");
    CHECK(oldest.details.front() == std::pair<std::string, std::string>{"pid", std::to_string(a.pid())});

    TempDir dir;
    dir.write("sleep.pid", std::to_string(b.pid()) + "\n");
    Result byPidfile = runOnce(*makeCheck("pidfile: " + dir.file("sleep.pid") + "\nbaseline: 100ms\nmax_percent: 50\n"));
    CHECK(statusOf(byPidfile) == "pass");
    CHECK(byPidfile.summary == "pidfile " + dir.file("sleep.pid") + " at 0 % CPU (allowed 0..50 %)");
}

TEST_CASE("a busy process above max_percent fails") {
    NamedChild burner("burner-max", burnWholeCore);
    auto check = makeCheck("name: burner-max\nmax_percent: 1\nbaseline: 500ms\n");
    Result r = runOnce(*check);
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary.find(" % CPU, above max_percent 1 %") != std::string::npos);
}

TEST_CASE("process_cpu.so loads through the plugin loader and reads a real process") {
    PluginLoader loader({pluginDir()});
    auto check = loader.createCheck("process_cpu");
    configureFrom(*check, "name: no-such-proc-y\n", "checks.cpu", "/tmp");
    CheckContext ctx{"cpu", "Liquidsoap CPU", 1s, 5s, nullptr};
    CHECK(check->run(ctx).summary == "no process named no-such-proc-y");
}
