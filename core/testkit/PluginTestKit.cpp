#include <watchdog/testing/PluginTestKit.h>

#include "config/ConfigNode.h"

#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace watchdog::testing {

namespace {
constexpr uid_t kNobody = 65534;
}  // namespace

Options optionsFromYaml(const std::string& yaml, const std::string& where, const std::string& baseDirectory) {
    return Options(parseYaml(yaml, "pipeline.yaml"), where, baseDirectory);
}

std::string statusOf(const Result& result) { return toString(result.status); }

std::string asUnprivileged(const std::function<std::string()>& body) {
    if (::geteuid() != 0) return body();
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("asUnprivileged: pipe() failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("asUnprivileged: fork() failed");
    if (pid == 0) {
        ::close(fds[0]);
        if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) _exit(2);
        const std::string out = body();
        if (::write(fds[1], out.data(), out.size()) < 0) _exit(3);
        _exit(0);
    }
    ::close(fds[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2) throw std::runtime_error("asUnprivileged: could not become nobody");
    return out;
}

}  // namespace watchdog::testing
