#pragma once

// Reading Linux /proc: process CPU times from /proc/PID/stat and each thread's run time from
// /proc/PID/task/TID/schedstat, and finding processes by comm, command line or pidfile.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace watchdog::process_cpu {

/// The fields of /proc/PID/stat the CPU reading needs.
struct ProcStat {
    int pid = 0;                       ///< process id
    std::string comm;                  ///< field 2 without the parentheses (at most 15 characters)
    char state = '?';                  ///< field 3: R, S, D, Z (zombie: exited, not yet reaped), ...
    unsigned long long utime = 0;      ///< field 14: user time, in clock ticks
    unsigned long long stime = 0;      ///< field 15: system time, in clock ticks
    unsigned long long startTime = 0;  ///< field 22: start time after boot, in clock ticks (tells a restart from the same pid)

    /// utime + stime.
    unsigned long long cpuTicks() const { return utime + stime; }
};

/// Parses the text of /proc/PID/stat; nullopt if it is not one. The comm may hold spaces and ')'.
std::optional<ProcStat> parseProcStat(const std::string& text);

/// Reads /proc/PID/stat (under `procRoot`); nullopt if the process is gone or a zombie (it has exited).
std::optional<ProcStat> readProcStat(int pid, const std::string& procRoot = "/proc");

/// How long each thread of `pid` has run, in nanoseconds, by thread id: the first field of
/// /proc/PID/task/TID/schedstat. Empty when the process is gone or the kernel keeps no such figures.
std::map<int, unsigned long long> readThreadRuntimes(int pid, const std::string& procRoot = "/proc");

/// One process's CPU use so far.
struct CpuUse {
    unsigned long long ticks = 0;                ///< utime + stime of the whole process, in clock ticks
    std::map<int, unsigned long long> threadNs;  ///< each live thread's run time in ns (empty: not kept)
};

/// CPU seconds one process used between two readings: to the nanosecond from its threads' run times
/// when every thread of `before` still runs, else from the clock ticks (steps of 1/CLK_TCK, 10 ms).
double cpuSecondsBetween(const CpuUse& before, const CpuUse& after);

/// The command line of a process with its NUL separators turned into spaces ("" if gone or a kernel thread).
std::string readCmdline(int pid, const std::string& procRoot = "/proc");

/// Pids of every process for which `matches(pid, comm)` is true, in ascending order; skips this process.
std::vector<int> findProcesses(const std::function<bool(int pid, const std::string& comm)>& matches, const std::string& procRoot = "/proc");

/// Clock ticks per second (sysconf(_SC_CLK_TCK), usually 100).
long clockTicksPerSecond();

}  // namespace watchdog::process_cpu
