#pragma once

// Running one child process for a plugin: no shell, an exact environment, its own process group,
// stdout and stderr captured within limits, the whole group killed at the timeout or on cancel.

#include <chrono>
#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace watchdog::common {

/// How much of one output stream is kept; the rest is read and dropped.
struct OutputLimit {
    std::size_t bytes = 64 * 1024;                                ///< bytes kept
    std::size_t lines = std::numeric_limits<std::size_t>::max();  ///< lines kept (a line ends with '\n')
};

/// What to run and how.
struct ProcessSpec {
    std::string program;                       ///< the file run: a path, or a name looked up in the daemon's PATH; "" is argv[0]
    std::vector<std::string> argv;             ///< argv[0] and the arguments, passed as they are
    std::vector<std::string> environment;      ///< the child's whole environment, "NAME=value" each
    std::string workingDirectory;              ///< "" keeps the daemon's
    std::optional<std::string> input;          ///< none: stdin is /dev/null; else written to stdin, which is then closed
    bool ownSession = true;                    ///< a new session (setsid); false: only a new process group
    std::chrono::milliseconds timeout{60000};  ///< then the group is ended (see killGrace)
    std::chrono::milliseconds killGrace{0};    ///< 0: SIGKILL to the group at once; else SIGTERM, SIGKILL this much later
    bool killLeftoversOnExit = true;           ///< when the child exits by itself, SIGKILL what it left running in its group
    bool stderrToStdout = false;               ///< stderr goes to stdout's pipe: one interleaved stream in `out`
    OutputLimit outLimit;                      ///< what is kept of stdout
    OutputLimit errLimit{4 * 1024};            ///< what is kept of stderr
};

/// How the run went.
struct ProcessResult {
    bool started = false;               ///< false: it could not be started (startError says why)
    std::string startError;             ///< "No such file or directory", "Permission denied", "no command"
    int exitCode = -1;                  ///< the exit status, when it exited
    int signal = 0;                     ///< the signal that ended it, when one did
    bool timedOut = false;              ///< its group was ended because the timeout passed
    bool cancelled = false;             ///< its group was ended because the stop test said so
    std::string out;                    ///< stdout (with stderrToStdout, both interleaved), within outLimit
    bool outTruncated = false;          ///< more came on stdout than was kept
    std::string err;                    ///< stderr, within errLimit
    bool errTruncated = false;          ///< more came on stderr than was kept
    std::chrono::milliseconds took{0};  ///< from the start to the end of the run
};

/// Runs the process with every descriptor above 2 closed, signals unblocked and at their defaults,
/// and waits for it. At the timeout, or once `stop` (when given) returns true, its whole group is
/// ended as `killGrace` says; a group that was ended gets SIGKILL again once the child is gone, so
/// nothing it started outlives it. Output still arriving after the exit (from a process that left
/// the group and holds the pipes) is read for a moment only.
ProcessResult runProcess(const ProcessSpec& spec, const std::function<bool()>& stop = {});

/// A signal as people read it in a message: "SIGKILL"; "signal 77" for one without a name.
std::string signalName(int signal);

}  // namespace watchdog::common
