#include "NagiosProcess.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace watchdog::nagios {

namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

struct Fd {
    int fd = -1;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

// Reads what is there without blocking; closes the descriptor at EOF. Keeps at most `limit` bytes.
void drain(Fd& fd, std::string& into, std::size_t limit, bool* truncated) {
    char buf[16384];
    while (fd.fd >= 0) {
        const ssize_t got = ::read(fd.fd, buf, sizeof buf);
        if (got > 0) {
            const std::size_t room = limit > into.size() ? limit - into.size() : 0;
            const std::size_t n = static_cast<std::size_t>(got);
            into.append(buf, std::min(room, n));
            if (n > room && truncated) *truncated = true;
            continue;
        }
        if (got == 0) {
            fd.reset();  // EOF
            return;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) fd.reset();
        return;
    }
}

// Waits up to `wait` for output on the open descriptors.
void pollFor(Fd& out, Fd& err, Ms wait) {
    pollfd fds[2];
    nfds_t n = 0;
    if (out.fd >= 0) fds[n++] = {out.fd, POLLIN, 0};
    if (err.fd >= 0) fds[n++] = {err.fd, POLLIN, 0};
    ::poll(n ? fds : nullptr, n, static_cast<int>(std::max<long long>(wait.count(), 0)));
}

}  // namespace

PluginRun runPlugin(const PluginCommand& c, const std::atomic<bool>* cancelled) {
    PluginRun r;
    int outPipe[2], errPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0) {
        r.startError = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    Fd outRead{outPipe[0]}, outWrite{outPipe[1]};
    if (::pipe2(errPipe, O_CLOEXEC) != 0) {
        r.startError = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    Fd errRead{errPipe[0]}, errWrite{errPipe[1]};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, outWrite.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, errWrite.fd, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // the daemon's sockets and files stay its own
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);  // Poco's threads block some signals; the plugin must not inherit that
    posix_spawnattr_setsigdefault(&attr, &all);
    // A new session is a new process group whose id is the plugin's pid: kill(-pid) reaches all it starts.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv, envp;
    for (const auto& a : c.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : c.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, c.program.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        r.startError = std::strerror(rc);
        return r;
    }
    r.started = true;
    outWrite.reset();
    errWrite.reset();
    ::fcntl(outRead.fd, F_SETFL, O_NONBLOCK);
    ::fcntl(errRead.fd, F_SETFL, O_NONBLOCK);

    const auto deadline = Clock::now() + c.timeout;
    while (true) {
        // WNOWAIT: see the exit but leave the zombie, so the group id stays ours until we kill the group.
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) break;
        const auto now = Clock::now();
        if (now >= deadline) {
            r.timedOut = true;
            break;
        }
        if (cancelled && cancelled->load()) {
            r.cancelled = true;
            break;
        }
        const Ms left = std::chrono::duration_cast<Ms>(deadline - now) + Ms(1);
        // With both pipes closed only the exit is awaited: look often, it is near.
        pollFor(outRead, errRead, std::min(left, outRead.fd < 0 && errRead.fd < 0 ? Ms(2) : Ms(50)));
        drain(outRead, r.out, c.maxStdout, &r.outTruncated);
        drain(errRead, r.err, c.maxStderr, nullptr);
    }
    ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    // The group is gone; what it wrote is in the pipes. A process that left the group (its own setsid)
    // may hold them open: do not wait for it longer than a moment.
    const auto drainUntil = Clock::now() + Ms(100);
    while ((outRead.fd >= 0 || errRead.fd >= 0) && Clock::now() < drainUntil) {
        pollFor(outRead, errRead, Ms(10));
        drain(outRead, r.out, c.maxStdout, &r.outTruncated);
        drain(errRead, r.err, c.maxStderr, nullptr);
    }
    if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    return r;
}

}  // namespace watchdog::nagios
