#pragma once

// Running one plugin executable: its own session and process group, a minimal environment, stdout
// and stderr captured (bounded), the whole group killed at the deadline.

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace watchdog::nagios {

/// What to run.
struct PluginCommand {
    std::string program;                       ///< absolute path of the executable
    std::vector<std::string> argv;             ///< argv[0] and the arguments
    std::vector<std::string> env;              ///< the whole environment, "NAME=value" each
    std::chrono::milliseconds timeout{10000};  ///< then SIGKILL to the process group
    std::size_t maxStdout = 64 * 1024;         ///< stdout bytes kept (the rest is read and dropped)
    std::size_t maxStderr = 4 * 1024;          ///< stderr bytes kept
};

/// How the run went.
struct PluginRun {
    bool started = false;       ///< false: it could not be started (startError says why)
    std::string startError;     ///< "No such file or directory", "Permission denied"
    int exitCode = -1;          ///< the exit status, when it exited
    int signal = 0;             ///< the signal that ended it, when one did
    bool timedOut = false;      ///< killed (with its process group) at the timeout
    bool cancelled = false;     ///< killed (with its process group) because the run was cancelled
    std::string out;            ///< standard output, at most maxStdout bytes
    bool outTruncated = false;  ///< more stdout came than was kept
    std::string err;            ///< standard error, at most maxStderr bytes
};

/// Runs the command in a new session (so in its own process group; stdin is /dev/null, no other
/// descriptor is inherited) and waits for it. At the timeout, or once `cancelled` is set, the whole
/// group gets SIGKILL, as Nagios does. When the plugin exits, anything it left running in its group is
/// killed too: nothing started by a check outlives the check.
PluginRun runPlugin(const PluginCommand& command, const std::atomic<bool>* cancelled);

}  // namespace watchdog::nagios
