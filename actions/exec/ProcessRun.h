#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace watchdog::exec {

/// The daemon's variables every child gets (when set): locale, time zone, search path, home. Nothing
/// else of the daemon's environment (its secrets among it) reaches a child unless named.
inline const std::vector<std::string> kBaseEnvironment = {"PATH",     "HOME",        "LANG", "LANGUAGE", "LC_ALL",
                                                          "LC_CTYPE", "LC_MESSAGES", "TZ",   "TMPDIR"};

/// What to run and how long to let it run.
struct ProcessSpec {
    std::vector<std::string> argv;                            ///< program (looked up in PATH) and arguments
    std::vector<std::pair<std::string, std::string>> addEnv;  ///< the child's own variables (over the passed ones)
    std::vector<std::string> passEnv;                         ///< daemon variables passed on besides kBaseEnvironment
    std::string workingDirectory;                             ///< "" keeps the daemon's
    std::string input;                                        ///< written to stdin, then stdin is closed
    std::chrono::milliseconds timeout{60000};                 ///< then SIGTERM to the process group
    std::chrono::milliseconds killGrace{2000};                ///< then SIGKILL to the process group
    std::size_t maxLines = 20;                                ///< output lines kept
    std::size_t maxBytes = 4096;                              ///< output bytes kept
};

/// How it went.
struct ProcessResult {
    bool started = false;               ///< false: it could not be started (see error)
    std::string error;                  ///< why it could not start ("No such file or directory")
    int exitCode = -1;                  ///< exit status if it exited
    int signal = 0;                     ///< the signal that ended it, if one did
    bool timedOut = false;              ///< killed because the timeout passed
    bool stopped = false;               ///< killed because the daemon is stopping
    std::string output;                 ///< the first lines of stdout and stderr, interleaved
    bool truncated = false;             ///< more output followed than was kept
    std::chrono::milliseconds took{0};  ///< run time
};

/// Runs a process in its own process group with stdout and stderr captured, `input` on stdin and a
/// timeout; on timeout (or once `stopping()` is true) the whole group gets SIGTERM, then SIGKILL.
/// Never uses a shell: argv goes to execvp as is.
ProcessResult runProcess(const ProcessSpec& spec, const std::function<bool()>& stopping);

}  // namespace watchdog::exec
