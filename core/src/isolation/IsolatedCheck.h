#pragma once

#include "isolation/CheckRunnerProtocol.h"
#include "isolation/LineChannel.h"
#include <watchdog/Check.h>

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

namespace watchdog {

class CheckProcess;

/// A check whose run() happens in a long-lived check process (`isolate: process`): the process
/// loads and configures its own instance of the plugin and keeps it between runs, so a plugin keeps
/// its state (CPU deltas, silence tracking) as it would in the daemon. A crash, exit(), a run past
/// the timeout or the memory limit there ends that process, never the daemon: the run becomes an
/// `error` result naming the signal or the reason, and the next run starts a new process.
class IsolatedCheck : public Check {
public:
    /// `runner` is the binary that knows the check-runner verb: the daemon's own by default.
    explicit IsolatedCheck(RunnerSetup setup, std::string runner = "/proc/self/exe");
    ~IsolatedCheck() override;

    /// Nothing to do: the daemon configured its own instance to validate the options, and the check
    /// process configures its instance from the same block.
    void configure(const Options&) override {}
    /// One run in the check process (started first if there is none).
    Result run(const CheckContext& context) override;
    /// The check process's id, or -1 while there is none (for tests and the benchmark).
    pid_t processId() const;

private:
    /// Starts the process and waits for it to be ready; an error result if it could not.
    std::optional<Result> start(const CheckContext& context, LineChannel::Deadline deadline);
    /// The next message other than a log line (passed on to the daemon's log) or the memory limit's
    /// marker; or, when the process ends, times out or says something unreadable, the error result.
    /// `when` (" while loading the plugin") goes into that result.
    std::variant<Poco::JSON::Object::Ptr, Result> nextReply(const CheckContext& context, LineChannel::Deadline deadline,
                                                            const std::string& when);
    /// After the process closed the socket: an error result saying how it ended.
    Result ended(const CheckContext& context, const std::string& when);
    /// Kills the process; the error result with `summary`, logged with `why`.
    Result killed(const CheckContext& context, const std::string& summary, const std::string& why);
    /// Ends the process (if any) at once.
    void drop();
    /// Passes a log message of the process on to the daemon's log.
    void forwardLog(const Poco::JSON::Object& log) const;

    RunnerSetup setup_;
    std::string runner_;
    std::mutex running_;  // one run at a time (the Check contract), held for the whole run
    std::unique_ptr<CheckProcess> process_;
    std::atomic<pid_t> pid_{-1};
    bool memoryLimitReached_ = false;
};

}  // namespace watchdog
