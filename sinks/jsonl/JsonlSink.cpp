#include "JsonlSink.h"

#include <watchdog/RecordLine.h>

#include <watchdog/Plugin.h>

#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace watchdog::jsonl {
namespace {

std::runtime_error ioError(const std::string& what, const std::string& path) {
    return std::runtime_error("jsonl sink: cannot " + what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

JsonlSink::~JsonlSink() { close(); }

void JsonlSink::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    settings_.path = options.path("path");
    settings_.fsync = options.boolean("fsync", true);
    settings_.maxSize = options.size("max_size", 0);
    settings_.keep = static_cast<int>(options.integer("keep", 5, 1, 1000));
    if (settings_.maxSize != 0 && settings_.maxSize < 4096) options.report("max_size", "must be at least 4K (or 0 to never rotate)");
}

void JsonlSink::open() {
    if (fd_ >= 0) return;
    openFile();
    readTail();
}

void JsonlSink::openFile() {
    const std::string parent = Poco::Path(settings_.path).parent().toString();
    try {
        if (!parent.empty()) Poco::File(parent).createDirectories();
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("jsonl sink: cannot create directory " + parent + ": " + e.message());
    }
    fd_ = ::open(settings_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) throw ioError("open", settings_.path);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw ioError("stat", settings_.path);
    size_ = static_cast<std::uint64_t>(st.st_size);
}

// Finds the last complete line (to skip replayed records) and cuts off a torn one left by a crash.
void JsonlSink::readTail() {
    if (size_ == 0) return;
    int in = ::open(settings_.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) throw ioError("read", settings_.path);
    const std::uint64_t window = std::min<std::uint64_t>(size_, 1 << 20);
    std::string tail(static_cast<std::size_t>(window), '\0');
    const ssize_t n = ::pread(in, &tail[0], tail.size(), static_cast<off_t>(size_ - window));
    ::close(in);
    if (n != static_cast<ssize_t>(window)) throw ioError("read", settings_.path);
    const auto lastNewline = tail.rfind('\n');
    const std::uint64_t complete = lastNewline == std::string::npos ? size_ - window : size_ - window + lastNewline + 1;
    if (complete < size_ && (lastNewline != std::string::npos || window == size_)) {
        Poco::Logger::get("watchdog.sink.jsonl")
            .warning(settings_.path + " ended in a torn line (crash during a write); cut " + std::to_string(size_ - complete) + " bytes");
        if (::ftruncate(fd_, static_cast<off_t>(complete)) != 0) throw ioError("truncate", settings_.path);
        size_ = complete;
    }
    if (lastNewline == std::string::npos) return;
    std::size_t begin = 0;
    if (lastNewline > 0) {
        const auto previous = tail.rfind('\n', lastNewline - 1);
        if (previous != std::string::npos) begin = previous + 1;
    }
    const std::string line = tail.substr(begin, lastNewline - begin);
    try {
        const Record last = recordFromJsonLine(line);
        haveLast_ = true;
        lastSequence_ = last.sequence;
        lastTimeMs_ = toEpochMs(last.time);
    } catch (const std::exception&) {
        // Not one of ours (or hand-edited): nothing to skip by.
    }
}

void JsonlSink::rotate() {
    ::close(fd_);
    fd_ = -1;
    const std::string& p = settings_.path;
    ::unlink((p + "." + std::to_string(settings_.keep)).c_str());
    for (int i = settings_.keep - 1; i >= 1; --i)
        ::rename((p + "." + std::to_string(i)).c_str(), (p + "." + std::to_string(i + 1)).c_str());
    if (::rename(p.c_str(), (p + ".1").c_str()) != 0) {
        const auto error = ioError("rotate", p);
        openFile();
        throw error;
    }
    openFile();
}

void JsonlSink::write(const std::vector<Record>& batch) {
    if (fd_ < 0) open();
    std::string data;
    std::uint64_t newLastSeq = lastSequence_;
    long long newLastTime = lastTimeMs_;
    bool any = false;
    for (const Record& r : batch) {
        const long long t = toEpochMs(r.time);
        // A replay repeats records already here; a sequence that restarted (lost state) has newer times.
        if (haveLast_ && r.sequence <= lastSequence_ && t <= lastTimeMs_) continue;
        data += recordToJsonLine(r);
        data += '\n';
        newLastSeq = r.sequence;
        newLastTime = t;
        any = true;
    }
    if (!any) return;
    if (settings_.maxSize != 0 && size_ > 0 && size_ + data.size() > settings_.maxSize) rotate();
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const auto error = ioError("write", settings_.path);
            // All or nothing: cut a partial batch back off so that the retry does not duplicate it.
            if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
            }
            throw error;
        }
        done += static_cast<std::size_t>(n);
    }
    if (settings_.fsync && ::fdatasync(fd_) != 0) {
        const auto error = ioError("fsync", settings_.path);
        if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
        }
        throw error;
    }
    size_ += data.size();
    haveLast_ = true;
    lastSequence_ = newLastSeq;
    lastTimeMs_ = newLastTime;
}

void JsonlSink::close() {
    if (fd_ < 0) return;
    ::fsync(fd_);
    ::close(fd_);
    fd_ = -1;
}

}  // namespace watchdog::jsonl

WATCHDOG_SINK_PLUGIN(watchdog::jsonl::JsonlSink)
