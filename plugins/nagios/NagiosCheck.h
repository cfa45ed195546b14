#pragma once

#include "NagiosOutput.h"
#include "ProcessRunner.h"

#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>

#include <chrono>
#include <string>
#include <vector>

namespace watchdog::nagios {

/// A finished run of the plugin executable, as judge() reads it.
using PluginRun = common::ProcessResult;

/// The nagios check's options, read once by configure().
struct NagiosSettings {
    std::string program;            ///< the executable run (resolved; /bin/sh with shell: true)
    std::vector<std::string> argv;  ///< its argv
    std::string name;               ///< how messages name it: the program's file name, or "shell command"
    bool warningPasses = false;     ///< exit 1 (WARNING) passes instead of failing
    std::vector<std::string> env;   ///< the plugin's whole environment, "NAME=value" each
};

/// Runs a Nagios/Monitoring Plugins executable and turns its exit code and output into a result:
/// 0 pass, 1 fail (pass with warning_passes), 2 fail, 3 and anything else error.
class NagiosCheck : public Check {
public:
    /// Reads command, shell, warning_passes, env.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// Runs the plugin once, within the check's timeout.
    Result run(const CheckContext& context) override;

    /// Turns a finished run into the result a person reads (no I/O; unit-tested).
    static Result judge(const PluginRun& run, const NagiosSettings& settings, std::chrono::milliseconds timeout);
    /// Where a bare program name is looked for after PATH.
    static constexpr const char* kPluginDirectory = "/usr/lib/nagios/plugins";
    /// The options as configure() read them.
    const NagiosSettings& settings() const { return settings_; }

private:
    NagiosSettings settings_;
};

}  // namespace watchdog::nagios
