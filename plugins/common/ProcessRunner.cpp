#include "ProcessRunner.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace watchdog::common {

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

/// One captured stream: the parent's end of its pipe and where its text goes.
struct Capture {
    Fd read;
    Fd write;  // the child's end, closed in the parent once the child runs
    std::string* text = nullptr;
    bool* truncated = nullptr;
    OutputLimit limit;

    // Keeps what fits in the limit; notes whether anything did not.
    void keep(const char* data, std::size_t n) {
        std::size_t lines = static_cast<std::size_t>(std::count(text->begin(), text->end(), '\n'));
        for (std::size_t i = 0; i < n; ++i) {
            if (text->size() >= limit.bytes || lines >= limit.lines) {
                *truncated = true;
                return;
            }
            text->push_back(data[i]);
            lines += data[i] == '\n';
        }
    }

    // Reads what is there without blocking; closes the pipe at EOF or on an error.
    void drain() {
        char buf[16384];
        while (read.fd >= 0) {
            const ssize_t got = ::read(read.fd, buf, sizeof buf);
            if (got > 0) {
                keep(buf, static_cast<std::size_t>(got));
                continue;
            }
            if (got < 0 && errno == EINTR) continue;
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            read.reset();
        }
    }
};

/// The child's stdin and output. Stdin is a socket pair so that writing to a child that does not
/// read (and exits) gives EPIPE from send(MSG_NOSIGNAL) rather than a SIGPIPE for the daemon.
struct ChildPipes {
    Capture out, err;
    Fd inChild, inParent;
};

/// Opens what the spec needs; "" or what failed.
std::string openPipes(const ProcessSpec& spec, ChildPipes& p) {
    for (Capture* c : {&p.out, &p.err}) {
        if (c == &p.err && spec.stderrToStdout) break;
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
        c->read.fd = fds[0];
        c->write.fd = fds[1];
    }
    if (spec.input) {
        int in[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) return std::string("socketpair: ") + std::strerror(errno);
        p.inChild.fd = in[0];
        p.inParent.fd = in[1];
        ::shutdown(p.inChild.fd, SHUT_WR);
    }
    return "";
}

/// Starts the child in a new session or process group with the pipes as its stdin, stdout and
/// stderr; posix_spawnp's error number, 0 on success.
int spawnChild(const ProcessSpec& spec, const ChildPipes& p, pid_t& pid) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (spec.input)
        posix_spawn_file_actions_adddup2(&actions, p.inChild.fd, 0);
    else
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, p.out.write.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, spec.stderrToStdout ? p.out.write.fd : p.err.write.fd, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // the daemon's sockets and files stay its own
    if (!spec.workingDirectory.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.workingDirectory.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);  // Poco's threads block some signals; the child must not inherit that
    posix_spawnattr_setsigdefault(&attr, &all);
    // Either way the group's id is the child's pid, so kill(-pid) reaches everything it starts.
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (spec.ownSession) {
        flags |= POSIX_SPAWN_SETSID;
    } else {
        posix_spawnattr_setpgroup(&attr, 0);
        flags |= POSIX_SPAWN_SETPGROUP;
    }
    posix_spawnattr_setflags(&attr, flags);

    std::vector<char*> argv, envp;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : spec.environment) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const std::string& file = spec.program.empty() ? spec.argv[0] : spec.program;
    const int rc = ::posix_spawnp(&pid, file.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

/// Sends what the child can take of the input; closes its stdin when all is sent or it refuses.
void feedInput(Fd& in, const std::string& input, std::size_t& written) {
    const ssize_t sent = ::send(in.fd, input.data() + written, input.size() - written, MSG_NOSIGNAL);
    if (sent > 0) written += static_cast<std::size_t>(sent);
    if ((sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) || written >= input.size()) in.reset();
}

/// Waits up to `wait` for output to read or room for input.
void pollPipes(ChildPipes& p, Ms wait) {
    pollfd fds[3];
    nfds_t n = 0;
    if (p.out.read.fd >= 0) fds[n++] = {p.out.read.fd, POLLIN, 0};
    if (p.err.read.fd >= 0) fds[n++] = {p.err.read.fd, POLLIN, 0};
    if (p.inParent.fd >= 0) fds[n++] = {p.inParent.fd, POLLOUT, 0};
    ::poll(n ? fds : nullptr, n, static_cast<int>(std::max<long long>(wait.count(), 0)));
}

bool exited(pid_t pid) {
    // WNOWAIT: see the exit but leave the zombie, so the group id stays ours until the group is killed.
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

/// Feeds and reads the child until it exits, ending its group at the deadline or when `stop` says so.
void superviseChild(const ProcessSpec& spec, pid_t pid, ChildPipes& p, const std::function<bool()>& stop, Clock::time_point deadline,
                    ProcessResult& r) {
    std::size_t written = 0;
    std::optional<Clock::time_point> termSent;
    bool killSent = false;
    while (!exited(pid)) {
        const auto now = Clock::now();
        if (!termSent && !killSent && (now >= deadline || (stop && stop()))) {
            (now >= deadline ? r.timedOut : r.cancelled) = true;
            if (spec.killGrace.count() > 0) {
                ::kill(-pid, SIGTERM);
                termSent = now;
            } else {
                ::kill(-pid, SIGKILL);
                killSent = true;
            }
        }
        if (termSent && !killSent && now - *termSent >= spec.killGrace) {
            ::kill(-pid, SIGKILL);
            killSent = true;
        }
        // With no pipe left only the exit is awaited: look often, it is near.
        const bool pipesOpen = p.out.read.fd >= 0 || p.err.read.fd >= 0 || p.inParent.fd >= 0;
        pollPipes(p, pipesOpen ? Ms(10) : Ms(2));
        p.out.drain();
        p.err.drain();
        if (p.inParent.fd >= 0) feedInput(p.inParent, *spec.input, written);
    }
}

}  // namespace

ProcessResult runProcess(const ProcessSpec& spec, const std::function<bool()>& stop) {
    ProcessResult r;
    const auto began = Clock::now();
    if (spec.argv.empty()) {
        r.startError = "no command";
        return r;
    }
    ChildPipes p;
    p.out.text = &r.out;
    p.out.truncated = &r.outTruncated;
    p.out.limit = spec.outLimit;
    p.err.text = &r.err;
    p.err.truncated = &r.errTruncated;
    p.err.limit = spec.errLimit;
    r.startError = openPipes(spec, p);
    if (!r.startError.empty()) return r;
    pid_t pid = -1;
    if (const int rc = spawnChild(spec, p, pid); rc != 0) {
        r.startError = std::strerror(rc);
        return r;
    }
    r.started = true;
    p.out.write.reset();
    p.err.write.reset();
    p.inChild.reset();
    for (int fd : {p.out.read.fd, p.err.read.fd, p.inParent.fd})
        if (fd >= 0) ::fcntl(fd, F_SETFL, O_NONBLOCK);
    if (spec.input && spec.input->empty()) p.inParent.reset();

    superviseChild(spec, pid, p, stop, began + spec.timeout, r);
    p.inParent.reset();
    if (spec.killLeftoversOnExit || r.timedOut || r.cancelled) ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    // What the group wrote is in the pipes. A process that left the group (its own setsid), or one
    // left running, may hold them open: do not wait for it longer than a moment.
    const auto drainUntil = Clock::now() + Ms(100);
    while ((p.out.read.fd >= 0 || p.err.read.fd >= 0) && Clock::now() < drainUntil) {
        pollPipes(p, Ms(10));
        p.out.drain();
        p.err.drain();
    }
    if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.took = std::chrono::duration_cast<Ms>(Clock::now() - began);
    return r;
}

std::string signalName(int signal) {
    const char* abbreviation = ::sigabbrev_np(signal);
    return abbreviation ? std::string("SIG") + abbreviation : "signal " + std::to_string(signal);
}

}  // namespace watchdog::common
