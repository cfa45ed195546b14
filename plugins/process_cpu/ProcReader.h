#pragma once

// Reading Linux /proc: process CPU times from /proc/PID/stat and finding processes by comm,
// command line or pidfile.

#include <functional>
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

/// The command line of a process with its NUL separators turned into spaces ("" if gone or a kernel thread).
std::string readCmdline(int pid, const std::string& procRoot = "/proc");

/// Pids of every process for which `matches(pid, comm)` is true, in ascending order; skips this process.
std::vector<int> findProcesses(const std::function<bool(int pid, const std::string& comm)>& matches, const std::string& procRoot = "/proc");

/// Clock ticks per second (sysconf(_SC_CLK_TCK), usually 100).
long clockTicksPerSecond();

}  // namespace watchdog::process_cpu
