#include "ProcessRun.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <cstdlib>
#include <map>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace watchdog::exec {

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

std::vector<std::string> environmentFor(const ProcessSpec& spec) {
    std::map<std::string, std::string> env;
    std::vector<std::string> order;
    auto pass = [&](const std::string& key) {
        const char* value = std::getenv(key.c_str());
        if (value == nullptr) return;
        if (!env.count(key)) order.push_back(key);
        env[key] = value;
    };
    for (const auto& key : kBaseEnvironment) pass(key);
    for (const auto& key : spec.passEnv) pass(key);
    for (const auto& [k, v] : spec.addEnv) {
        if (!env.count(k)) order.push_back(k);
        env[k] = v;
    }
    std::vector<std::string> out;
    for (const auto& k : order) out.push_back(k + "=" + env[k]);
    return out;
}

// Keeps the first maxLines lines / maxBytes bytes; notes whether more came.
void keep(ProcessResult& r, const ProcessSpec& spec, const char* data, std::size_t n) {
    std::size_t lines = 0;
    for (char c : r.output) lines += c == '\n';
    for (std::size_t i = 0; i < n; ++i) {
        if (r.output.size() >= spec.maxBytes || lines >= spec.maxLines) {
            r.truncated = true;
            return;
        }
        r.output += data[i];
        lines += data[i] == '\n';
    }
}

/// The child's stdin and output: output through a pipe; stdin through a socket pair so that writing
/// to a child that does not read (and exits) gives EPIPE from send(MSG_NOSIGNAL) rather than a
/// SIGPIPE for the daemon.
struct ChildPipes {
    Fd outRead, outWrite, inChild, inParent;
};

/// Opens both; "" or what failed.
std::string openPipes(ChildPipes& p) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    p.outRead.fd = out[0];
    p.outWrite.fd = out[1];
    int in[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) return std::string("socketpair: ") + std::strerror(errno);
    p.inChild.fd = in[0];
    p.inParent.fd = in[1];
    ::shutdown(p.inChild.fd, SHUT_WR);
    return "";
}

/// Starts the command in a process group of its own with the pipes as stdin, stdout and stderr;
/// posix_spawnp's error number, 0 on success.
int spawnChild(const ProcessSpec& spec, const ChildPipes& p, pid_t& pid) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, p.inChild.fd, 0);
    posix_spawn_file_actions_adddup2(&actions, p.outWrite.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, p.outWrite.fd, 2);
    // The daemon's own sockets and files must not leak into scripts.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!spec.workingDirectory.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.workingDirectory.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);  // Poco threads block TERM/QUIT/PIPE; the child must not inherit that
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const std::vector<std::string> envStrings = environmentFor(spec);
    std::vector<char*> envp;
    for (const auto& e : envStrings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    const int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

/// Reads what the child wrote so far into the result; closes the pipe at EOF.
void drainOutput(Fd& out, ProcessResult& r, const ProcessSpec& spec) {
    char buf[4096];
    while (true) {
        const ssize_t got = ::read(out.fd, buf, sizeof buf);
        if (got > 0) {
            keep(r, spec, buf, static_cast<std::size_t>(got));
            continue;
        }
        if (got == 0) out.reset();  // EOF
        break;
    }
}

/// Sends what the child can take of the input; closes its stdin when all is sent or it refuses.
void feedInput(Fd& in, const std::string& input, std::size_t& written) {
    const ssize_t sent = ::send(in.fd, input.data() + written, input.size() - written, MSG_NOSIGNAL);
    if (sent > 0) written += static_cast<std::size_t>(sent);
    if ((sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) || written >= input.size()) in.reset();
}

/// Feeds and reads the child until it exits, sending its group SIGTERM at the timeout or when
/// `stopping` says so, and SIGKILL after the grace; returns its wait status.
int superviseChild(const ProcessSpec& spec, pid_t pid, ChildPipes& p, const std::function<bool()>& stopping, Clock::time_point began,
                   ProcessResult& r) {
    const auto deadline = began + spec.timeout;
    std::size_t written = 0;
    bool exited = false;
    int status = 0;
    Clock::time_point termSent{};
    bool killed = false;
    Clock::time_point exitedAt{};
    while (true) {
        if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            exitedAt = Clock::now();
            p.inParent.reset();
        }
        // After the exit, read what is already there; a background grandchild may keep the pipe
        // open forever, so do not wait for EOF longer than a moment.
        if (exited && (p.outRead.fd < 0 || Clock::now() - exitedAt > Ms(100))) break;
        const auto now = Clock::now();
        if (!exited && termSent == Clock::time_point{} && (now >= deadline || (stopping && stopping()))) {
            (now >= deadline ? r.timedOut : r.stopped) = true;
            ::kill(-pid, SIGTERM);
            termSent = now;
        }
        if (!exited && termSent != Clock::time_point{} && !killed && now - termSent >= spec.killGrace) {
            ::kill(-pid, SIGKILL);
            killed = true;
        }
        pollfd fds[2];
        nfds_t n = 0;
        if (p.outRead.fd >= 0) fds[n++] = {p.outRead.fd, POLLIN, 0};
        if (p.inParent.fd >= 0) fds[n++] = {p.inParent.fd, POLLOUT, 0};
        // With no pipes left only the exit is awaited: check often, it is near.
        ::poll(fds, n, n == 0 ? 1 : 10);
        if (p.outRead.fd >= 0) drainOutput(p.outRead, r, spec);
        if (p.inParent.fd >= 0) feedInput(p.inParent, spec.input, written);
    }
    return status;
}

}  // namespace

ProcessResult runProcess(const ProcessSpec& spec, const std::function<bool()>& stopping) {
    ProcessResult r;
    const auto began = Clock::now();
    if (spec.argv.empty()) {
        r.error = "no command";
        return r;
    }
    ChildPipes pipes;
    r.error = openPipes(pipes);
    if (!r.error.empty()) return r;
    pid_t pid = -1;
    if (const int rc = spawnChild(spec, pipes, pid); rc != 0) {
        r.error = std::strerror(rc);
        return r;
    }
    r.started = true;
    pipes.outWrite.reset();
    pipes.inChild.reset();
    ::fcntl(pipes.outRead.fd, F_SETFL, O_NONBLOCK);
    ::fcntl(pipes.inParent.fd, F_SETFL, O_NONBLOCK);
    if (spec.input.empty()) pipes.inParent.reset();

    const int status = superviseChild(spec, pid, pipes, stopping, began, r);
    // The group may still hold members after a kill; make sure none outlives a timeout.
    if (r.timedOut || r.stopped) ::kill(-pid, SIGKILL);
    if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.took = std::chrono::duration_cast<Ms>(Clock::now() - began);
    return r;
}

}  // namespace watchdog::exec
