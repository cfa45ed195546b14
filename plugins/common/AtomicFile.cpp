#include "AtomicFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace watchdog::common {

namespace {

std::runtime_error failure(const std::string& what, const std::string& file) {
    return std::runtime_error("cannot " + what + " " + file + ": " + std::strerror(errno));
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) throw failure("write", tmp);
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::runtime_error e = failure("write", tmp);
            ::close(fd);
            throw e;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const std::runtime_error e = failure("fsync", tmp);
        ::close(fd);
        throw e;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw failure("replace", path);
    const std::size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace watchdog::common
