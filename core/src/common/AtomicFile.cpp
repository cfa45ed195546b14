#include <watchdog/AtomicFile.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace watchdog {

namespace {

std::runtime_error failure(const std::string& what, const std::string& file, int error) {
    return std::runtime_error("cannot " + what + " " + file + ": " + std::strerror(error));
}

// Writes and fsyncs `text` into the open `fd`; the error names `tmp`.
void writeSynced(int fd, const std::string& text, const std::string& tmp) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw failure("write", tmp, n < 0 ? errno : ENOSPC);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) throw failure("fsync", tmp, errno);
}

void syncFolderOf(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) throw failure("write", tmp, errno);
    try {
        writeSynced(fd, text, tmp);
    } catch (...) {
        ::close(fd);
        std::remove(tmp.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int error = errno;
        std::remove(tmp.c_str());
        throw failure("replace", path, error);
    }
    syncFolderOf(path);
}

}  // namespace watchdog
