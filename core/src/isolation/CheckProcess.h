#pragma once

#include "isolation/LineChannel.h"

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

namespace watchdog {

/// One check process, `RUNNER __check-runner ID`, started with posix_spawn (safe in a threaded
/// daemon) in its own process group, with a socket to the daemon as its fd 3, stdin from /dev/null,
/// stdout and stderr on the daemon's stderr, default signal handling and none of the daemon's other
/// files. Destroying it closes the socket (the process exits), kills the group if it has not after
/// 200 ms, and reaps the process.
class CheckProcess {
public:
    /// Starts it; throws std::runtime_error saying why it could not.
    CheckProcess(const std::string& runner, const std::string& checkId);
    ~CheckProcess();
    CheckProcess(const CheckProcess&) = delete;
    CheckProcess& operator=(const CheckProcess&) = delete;

    /// Its process id.
    pid_t pid() const { return pid_; }
    /// The socket to it.
    LineChannel& channel() { return *channel_; }
    /// Kills its process group at once (SIGKILL) and reaps it.
    void kill();
    /// After it closed the socket: waits up to `grace` for it to exit, kills it after that, and says
    /// how it ended ("died of SIGSEGV", "exited with status 3", "was killed").
    std::string reap(std::chrono::milliseconds grace);

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    std::unique_ptr<LineChannel> channel_;
};

/// How a wait status reads: "died of SIGSEGV", "died of SIGABRT (core dumped)", "exited with status 3".
std::string describeExit(int waitStatus);

}  // namespace watchdog
