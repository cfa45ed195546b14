#include "isolation/CheckProcess.h"

#include "isolation/CheckRunnerProtocol.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace watchdog {

namespace {

/// The fd a check process finds its socket on (0-2 stay the usual streams).
constexpr int runnerFd = 3;

std::string signalName(int sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

}  // namespace

std::string describeExit(int status) {
    if (WIFSIGNALED(status)) return "died of " + signalName(WTERMSIG(status)) + (WCOREDUMP(status) ? " (core dumped)" : "");
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    return "ended (wait status " + std::to_string(status) + ")";
}

CheckProcess::CheckProcess(const std::string& runner, const std::string& checkId) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        throw std::runtime_error(std::string("socketpair: ") + std::strerror(errno));
    channel_ = std::make_unique<LineChannel>(pair[0]);
    // dup2 onto itself would keep close-on-exec: make sure the child's end is not already fd 3.
    int childEnd = pair[1];
    if (childEnd <= runnerFd) {
        childEnd = ::fcntl(pair[1], F_DUPFD_CLOEXEC, runnerFd + 1);
        ::close(pair[1]);
        if (childEnd < 0) throw std::runtime_error(std::string("fcntl: ") + std::strerror(errno));
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, childEnd, runnerFd);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    // A plugin's stray printf must not corrupt the protocol: stdout goes where stderr goes.
    posix_spawn_file_actions_adddup2(&actions, 2, 1);
    // The daemon's sockets (the status server's included) and files stay its own.
    posix_spawn_file_actions_addclosefrom_np(&actions, runnerFd + 1);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);  // Poco threads block TERM/QUIT/PIPE; the child must not inherit that
    posix_spawnattr_setsigdefault(&attr, &all);
    // Its own group: a terminal's Ctrl-C goes to the daemon, which stops it; a kill reaches what it started.
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> args{"encoder-watchdog", checkRunnerVerb, checkId};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, runner.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(childEnd);
    if (rc != 0) throw std::runtime_error("cannot start " + runner + ": " + std::strerror(rc));
}

CheckProcess::~CheckProcess() {
    if (reaped_ || pid_ <= 0) return;
    channel_.reset();  // it reads the end of the socket and exits; a hung one is killed after a moment
    reap(std::chrono::milliseconds(200));
}

void CheckProcess::kill() {
    if (reaped_ || pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);  // in case it left its group
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
}

std::string CheckProcess::reap(std::chrono::milliseconds grace) {
    if (reaped_) return "was killed";
    const auto until = std::chrono::steady_clock::now() + grace;
    while (true) {
        // Seen but not yet reaped: its pid (and group id) cannot be reused while the group is killed.
        siginfo_t info{};
        const int w = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
        if (w == 0 && info.si_pid == pid_) break;
        if (w < 0 && errno != EINTR) {
            reaped_ = true;
            return "ended";
        }
        if (std::chrono::steady_clock::now() >= until) {
            kill();
            return "closed its connection and was killed";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::kill(-pid_, SIGKILL);  // whatever it started in its group goes with it
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return describeExit(status);
}

}  // namespace watchdog
