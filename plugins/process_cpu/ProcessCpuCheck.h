#pragma once

#include "ProcReader.h"

#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>

#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace watchdog::process_cpu {

/// The process_cpu check's options, read once by configure().
struct ProcessCpuSettings {
    std::string name;                          ///< match the process name (comm, as `ps -o comm` shows it)
    std::string cmdline;                       ///< match a substring of the command line
    std::string cmdlineRegex;                  ///< match the command line with this regex (ECMAScript)
    std::string pidfile;                       ///< take the pid from this file
    double minPercent = 0;                     ///< below fails (0: no minimum); 100 = one full core
    std::optional<double> maxPercent;          ///< above fails, if set
    bool sumMatches = true;                    ///< several matches: sum them (true) or take the oldest (false)
    std::chrono::milliseconds baseline{1000};  ///< first reading: measure over this window in-run (0: say "warming up")
    std::string procRoot = "/proc";            ///< where /proc is (tests)

    /// How messages name the target: "liquidsoap", "'radio.liq' in the command line", "pidfile /run/x.pid".
    std::string target() const;
};

/// CPU percent of one process (or a group) over the time between two runs, from /proc/PID/stat.
class ProcessCpuCheck : public Check {
public:
    /// Reads name | cmdline | cmdline_regex | pidfile, min_percent, max_percent, multiple, baseline.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// Samples the matching processes and compares with the previous run's sample.
    Result run(const CheckContext& context) override;
    /// The options as configure() read them.
    const ProcessCpuSettings& settings() const { return settings_; }

private:
    /// The processes as sampled, by identity (pid + start time).
    struct Sample {
        std::chrono::steady_clock::time_point at;                   ///< when it was taken
        std::map<std::pair<int, unsigned long long>, CpuUse> used;  ///< (pid, start) -> CPU used so far
    };
    /// The pids to sample now, or a failing/error result saying why there are none.
    std::vector<int> select(std::optional<Result>& problem) const;
    /// Reads the CPU use of these pids (those that exited are left out).
    Sample sample(const std::vector<int>& pids) const;
    /// The result for a reading between two samples.
    Result judge(const Sample& before, const Sample& after, const std::vector<int>& pids) const;

    ProcessCpuSettings settings_;
    std::regex regex_;
    std::optional<Sample> previous_;
};

}  // namespace watchdog::process_cpu
