#pragma once

#include "ProcessRunner.h"

#include <watchdog/Action.h>
#include <watchdog/OptionTable.h>

#include <set>
#include <string>
#include <vector>

namespace watchdog::exec {

/// Runs a command for each event: the escape hatch for DNS switches and scripts. The event goes in
/// WATCHDOG_* environment variables and as JSON on stdin; the exit status, the first lines of
/// output and a timeout (which kills the whole process group) make the outcome.
class ExecAction : public Action {
public:
    /// Reads command, shell, timeout, kill_grace, stdin_json, working_directory, output_lines, role, events.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// Remedy unless `role: notifier`.
    ActionRole role() const override { return role_; }
    /// Runs the command once for the event and reports how it ended.
    Outcome execute(const Event& event, const ActionContext& context) override;

private:
    std::vector<std::string> argv_;
    std::string name_;          // what outcomes call the command (never its arguments: they may hold secrets)
    common::ProcessSpec spec_;  // all but the environment and stdin, set per run
    std::vector<std::pair<std::string, std::string>> extraEnv_;  // `env:` entries
    std::vector<std::string> passEnv_;                           // `pass_env:` names
    bool stdinJson_ = true;
    ActionRole role_ = ActionRole::Remedy;
    std::set<EventType> events_;
};

}  // namespace watchdog::exec
