// Unit tests: /proc/PID/stat parsing, pidfile handling, option validation.
#include "ProcessCpuCheck.h"
#include "ProcReader.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include <watchdog/ConfigError.h>

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

using namespace watchdog;
using namespace watchdog::process_cpu;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<ProcessCpuCheck> makeCheck(const std::string& yaml) {
    return configure<ProcessCpuCheck>(yaml, "checks.liquidsoap_cpu", "/run");
}

std::string configError(const std::string& yaml) {
    return watchdog::testing::configError<ProcessCpuCheck>(yaml, "checks.liquidsoap_cpu", "/run");
}

Result runOnce(ProcessCpuCheck& check) {
    CheckContext ctx{"liquidsoap_cpu", "Liquidsoap CPU", 60s, 10s, nullptr};
    return check.run(ctx);
}

}  // namespace

TEST_CASE("/proc/PID/stat: the comm may hold spaces and parentheses; times and start come after it") {
    auto st = parseProcStat(
        "4242 (liq (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 50 0 0 20 0 3 0 98765 "
        "123456 789 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0\n");
    REQUIRE(st);
    CHECK(st->pid == 4242);
    CHECK(st->comm == "liq (x) y");
    CHECK(st->state == 'S');
    CHECK(st->utime == 150);
    CHECK(st->stime == 50);
    CHECK(st->cpuTicks() == 200);
    CHECK(st->startTime == 98765);
}

TEST_CASE("/proc/PID/stat: malformed text is refused, not misread") {
    CHECK_FALSE(parseProcStat(""));
    CHECK_FALSE(parseProcStat("garbage"));
    CHECK_FALSE(parseProcStat("12 (x) S 1 2 3"));                                    // truncated
    CHECK_FALSE(parseProcStat("x (y) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5"));   // pid not a number
    CHECK_FALSE(parseProcStat("12 (x) S 1 1 1 0 -1 0 0 0 0 0 a b 0 0 20 0 1 0 5"));  // times not numbers
}

TEST_CASE("this process can be read from the real /proc") {
    auto st = readProcStat(static_cast<int>(::getpid()));
    REQUIRE(st);
    CHECK(st->pid == ::getpid());
    CHECK(st->comm == std::string("test_process_cpu").substr(0, 15));
    CHECK(st->startTime > 0);
    CHECK(readCmdline(static_cast<int>(::getpid())).find("test_process_cpu") != std::string::npos);
    CHECK_FALSE(readProcStat(0));
}

TEST_CASE("pidfile: missing, not a pid, or naming a dead process") {
    TempDir dir;
    auto missing = makeCheck("pidfile: " + dir.file("liq.pid") + "\n");
    Result r = runOnce(*missing);
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "pidfile " + dir.file("liq.pid") + " is missing");

    dir.write("bad.pid", "not a number\n");
    Result bad = runOnce(*makeCheck("pidfile: " + dir.file("bad.pid") + "\n"));
    CHECK(statusOf(bad) == "error");
    CHECK(bad.summary == "pidfile " + dir.file("bad.pid") + " does not hold a pid");

    pid_t child = ::fork();
    if (child == 0) _exit(0);
    ::waitpid(child, nullptr, 0);
    dir.write("dead.pid", std::to_string(child) + "\n");
    Result dead = runOnce(*makeCheck("pidfile: " + dir.file("dead.pid") + "\n"));
    CHECK(statusOf(dead) == "fail");
    CHECK(dead.summary == "pidfile " + dir.file("dead.pid") + " names pid " + std::to_string(child) + ", which is not running");
}

TEST_CASE("a name no process has fails saying so") {
    Result r = runOnce(*makeCheck("name: no-such-proc-x\n"));
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "no process named no-such-proc-x");
    CHECK(runOnce(*makeCheck("cmdline: no-such-arg-31337\n")).summary == "no process with 'no-such-arg-31337' in its command line");
    CHECK(runOnce(*makeCheck("cmdline_regex: '^nothing[0-9]{9}$'\n")).summary ==
          "no process whose command line matches /^nothing[0-9]{9}$/");
}

TEST_CASE("options: defaults and errors with file:line:col") {
    auto check = makeCheck("name: liquidsoap\nmin_percent: 20\n");
    const auto& s = check->settings();
    CHECK(s.name == "liquidsoap");
    CHECK(s.minPercent == 20);
    CHECK_FALSE(s.maxPercent);
    CHECK(s.sumMatches);
    CHECK(s.baseline == 1s);
    CHECK(makeCheck("pidfile: liquidsoap.pid\n")->settings().pidfile == "/run/liquidsoap.pid");
    CHECK_FALSE(makeCheck("name: x\nmultiple: oldest\n")->settings().sumMatches);

    CHECK(configError("min_percent: 20\n") ==
          "pipeline.yaml:1:1: checks.liquidsoap_cpu.name: say which process to watch: name, cmdline, cmdline_regex or pidfile");
    CHECK(configError("name: a\npidfile: /run/a.pid\n") ==
          "pipeline.yaml:2:10: checks.liquidsoap_cpu.pidfile: use only one of name, cmdline, cmdline_regex and pidfile");
    CHECK(configError("cmdline_regex: 'a(b'\n")
              .rfind("pipeline.yaml:1:16: checks.liquidsoap_cpu.cmdline_regex: is not a valid regular expression", 0) == 0);
    CHECK(configError("name: a\nmin_percent: lots\n").rfind("pipeline.yaml:2:14: checks.liquidsoap_cpu.min_percent:", 0) == 0);
    CHECK(configError("name: a\nmin_percent: -5\n").rfind("pipeline.yaml:2:14: checks.liquidsoap_cpu.min_percent:", 0) == 0);
    CHECK(configError("name: a\nmin_percent: 50\nmax_percent: 40\n") ==
          "pipeline.yaml:3:14: checks.liquidsoap_cpu.max_percent: is below min_percent (50)");
    CHECK(configError("name: a\nmultiple: average\n").rfind("pipeline.yaml:2:11: checks.liquidsoap_cpu.multiple:", 0) == 0);
    CHECK(configError("name: a\nbaseline: soon\n").rfind("pipeline.yaml:2:11: checks.liquidsoap_cpu.baseline:", 0) == 0);
    CHECK(configError("name: a\nmin_percnt: 5\n").rfind("pipeline.yaml:2:1: checks.liquidsoap_cpu: unknown option 'min_percnt'", 0) == 0);
}

TEST_CASE("thread run times: read to the nanosecond from /proc/PID/task/TID/schedstat") {
    TempDir proc;
    proc.write("42/task/42/schedstat", "1500000000 2000 30\n");
    proc.write("42/task/43/schedstat", "250000001 10 4\n");
    proc.write("42/task/44/schedstat", "");  // a thread that ended between readdir and the read
    const auto runtimes = readThreadRuntimes(42, proc.path());
    CHECK(runtimes == std::map<int, unsigned long long>{{42, 1500000000ULL}, {43, 250000001ULL}});
    CHECK(readThreadRuntimes(7, proc.path()).empty());
}

TEST_CASE("CPU between two readings: thread run times when every thread still runs, else clock ticks") {
    // 9 ms in half a second (a quiet encoder at 1.8 %): less than one 10 ms tick, so the ticks say 0.
    const CpuUse before{100, {{42, 1'000'000'000ULL}, {43, 500'000'000ULL}}};
    const CpuUse after{100, {{42, 1'006'000'000ULL}, {43, 503'000'000ULL}}};
    CHECK(cpuSecondsBetween(before, after) == doctest::Approx(0.009));
    // A thread started in between counts whole.
    const CpuUse withNew{101, {{42, 1'006'000'000ULL}, {43, 503'000'000ULL}, {50, 2'000'000ULL}}};
    CHECK(cpuSecondsBetween(before, withNew) == doctest::Approx(0.011));
    // A thread that ended took its time with it: the process's ticks, which still count it, decide.
    const CpuUse threadEnded{103, {{42, 1'006'000'000ULL}}};
    CHECK(cpuSecondsBetween(before, threadEnded) == doctest::Approx(3.0 / static_cast<double>(clockTicksPerSecond())));
    // No thread figures (a kernel without schedstat): ticks.
    CHECK(cpuSecondsBetween(CpuUse{100, {}}, CpuUse{102, {}}) == doctest::Approx(2.0 / static_cast<double>(clockTicksPerSecond())));
}
