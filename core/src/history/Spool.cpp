#include "history/Spool.h"

#include "history/RecordJson.h"

#include <Poco/File.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace watchdog {
namespace {

const std::string kHeaderPrefix = "# encoder-watchdog spool ";

std::runtime_error ioError(const std::string& what, const std::string& path) {
    return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

std::string randomId() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned> dist(0, 15);
    std::string id;
    for (int i = 0; i < 16; ++i) id += "0123456789abcdef"[dist(rd)];
    return id;
}

void writeAll(int fd, const std::string& data, const std::string& path) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw ioError("cannot write", path);
        }
        done += static_cast<std::size_t>(n);
    }
}

std::string readRange(int fd, std::uint64_t from, std::uint64_t to, const std::string& path) {
    std::string out(static_cast<std::size_t>(to - from), '\0');
    std::size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::pread(fd, &out[done], out.size() - done, static_cast<off_t>(from + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw ioError("cannot read", path);
        }
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return out;
}

void syncDirectory(const std::string& dir) {
    int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d >= 0) {
        ::fsync(d);
        ::close(d);
    }
}

}  // namespace

Spool::Spool(std::string directory, unsigned long long limitBytes) : directory_(std::move(directory)), limit_(limitBytes) {
    if (!directory_.empty() && directory_.back() != '/') directory_ += '/';
    path_ = directory_ + "spool.jsonl";
    offsetPath_ = directory_ + "spool.offset";
    try {
        Poco::File(directory_).createDirectories();
    } catch (const Poco::Exception& e) {
        // Poco's message is often just the path again; its name says what went wrong ("File exists").
        const std::string where = e.message() == directory_ || e.message().empty() ? "" : " (" + e.message() + ")";
        throw std::runtime_error("cannot create spool directory " + directory_ + ": " + e.name() + where);
    }
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) throw ioError("cannot open spool", path_);
    try {
        recover();
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

Spool::~Spool() {
    if (fd_ >= 0) ::close(fd_);
}

// Reads in chunks: a spool may hold hundreds of megabytes on a small machine.
void Spool::recover() {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw ioError("cannot stat", path_);
    size_ = static_cast<std::uint64_t>(st.st_size);
    const std::string head = readRange(fd_, 0, std::min<std::uint64_t>(size_, 4096), path_);
    const auto headerNewline = head.find('\n');
    if (head.compare(0, kHeaderPrefix.size(), kHeaderPrefix) != 0 || headerNewline == std::string::npos) {
        if (size_ > 0) Poco::Logger::get("watchdog.spool").warning("spool %s has no valid header; starting it afresh", path_);
        resetFile();
        return;
    }
    id_ = head.substr(kHeaderPrefix.size(), headerNewline - kHeaderPrefix.size());
    headerEnd_ = headerNewline + 1;
    // A crash in the middle of an append leaves a line without its newline: cut it off.
    const std::uint64_t chunk = 1 << 20;
    std::uint64_t complete = headerEnd_;
    for (std::uint64_t end = size_; end > headerEnd_;) {
        const std::uint64_t begin = end > headerEnd_ + chunk ? end - chunk : headerEnd_;
        const std::string data = readRange(fd_, begin, end, path_);
        const auto nl = data.rfind('\n');
        if (nl != std::string::npos) {
            complete = begin + nl + 1;
            break;
        }
        end = begin;
    }
    if (complete != size_) {
        if (::ftruncate(fd_, static_cast<off_t>(complete)) != 0) throw ioError("cannot truncate", path_);
        ::fsync(fd_);
        Poco::Logger::get("watchdog.spool")
            .warning("spool " + path_ + " ended in a torn line (crash during append); cut " + std::to_string(size_ - complete) + " bytes");
        size_ = complete;
    }
    offset_ = readOffset();
    if (offset_ < headerEnd_ || offset_ > size_) offset_ = headerEnd_;
    pending_ = 0;
    for (std::uint64_t pos = offset_; pos < size_; pos += chunk) {
        const std::string data = readRange(fd_, pos, std::min(size_, pos + chunk), path_);
        pending_ += static_cast<std::uint64_t>(std::count(data.begin(), data.end(), '\n'));
    }
}

std::uint64_t Spool::readOffset() const {
    int fd = ::open(offsetPath_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[128] = {};
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return 0;
    const std::string text(buf, static_cast<std::size_t>(n));
    const auto space = text.find(' ');
    if (space == std::string::npos || text.substr(0, space) != id_) return 0;  // another generation's offset
    try {
        std::size_t used = 0;
        const std::string number = text.substr(space + 1);
        const auto offset = std::stoull(number, &used);
        if (number.find_first_not_of(" \n", used) != std::string::npos) return 0;  // torn
        return offset;
    } catch (...) {
        return 0;
    }
}

// Rewritten in place, one sector, one fdatasync: far cheaper per batch than temp file + rename + two
// fsyncs. Should a power cut tear it, it no longer parses (or names another generation) and replay
// starts over from the first record, which sinks skip by sequence: duplicates offered, nothing lost.
void Spool::writeOffset(std::uint64_t offset) {
    int fd = ::open(offsetPath_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw ioError("cannot write", offsetPath_);
    std::string line = id_ + " " + std::to_string(offset);
    line.resize(63, ' ');
    line += '\n';
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::pwrite(fd, line.data() + done, line.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            throw ioError("cannot write", offsetPath_);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd) != 0) {
        ::close(fd);
        throw ioError("cannot fsync", offsetPath_);
    }
    ::close(fd);
}

void Spool::resetFile() {
    if (::ftruncate(fd_, 0) != 0) throw ioError("cannot truncate", path_);
    id_ = randomId();
    const std::string header = kHeaderPrefix + id_ + "\n";
    writeAll(fd_, header, path_);
    if (::fsync(fd_) != 0) throw ioError("cannot fsync", path_);
    size_ = headerEnd_ = offset_ = header.size();
    pending_ = 0;
    ::unlink(offsetPath_.c_str());
    syncDirectory(directory_);  // a new spool file must survive a power cut, not only its contents
}

std::size_t Spool::append(const std::vector<Record>& records) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string data;
    std::size_t accepted = 0;
    for (const auto& r : records) {
        std::string line = recordToJsonLine(r);
        line += '\n';
        if (size_ + data.size() + line.size() > limit_) break;
        data += line;
        ++accepted;
    }
    if (accepted == 0) return 0;
    try {
        writeAll(fd_, data, path_);
        if (::fdatasync(fd_) != 0) throw ioError("cannot fsync", path_);
    } catch (...) {
        // Leave no half batch behind: the caller keeps these records and tries again later.
        if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) { /* recover() cuts a torn tail on next open */
        }
        throw;
    }
    size_ += data.size();
    pending_ += accepted;
    return accepted;
}

Spool::Batch Spool::peek(std::size_t maxRecords) {
    std::lock_guard<std::mutex> lock(mutex_);
    Batch batch;
    batch.endOffset = offset_;
    std::uint64_t pos = offset_;
    const std::uint64_t chunk = 1 << 20;
    while (pos < size_ && batch.records.size() < maxRecords) {
        const std::string data = readRange(fd_, pos, std::min(size_, pos + chunk), path_);
        std::size_t start = 0;
        bool progressed = false;
        while (batch.records.size() < maxRecords) {
            const auto nl = data.find('\n', start);
            if (nl == std::string::npos) break;
            progressed = true;
            const std::string line = data.substr(start, nl - start);
            try {
                batch.records.push_back(recordFromJsonLine(line));
            } catch (const std::exception& e) {
                ++skipped_;
                Poco::Logger::get("watchdog.spool")
                    .error("spool " + path_ + ": skipping an unreadable line at byte " + std::to_string(pos + start) + ": " + e.what());
            }
            ++batch.lines;
            start = nl + 1;
        }
        pos += start;
        if (!progressed) {
            // One line longer than the chunk: read it whole next time round.
            const std::string rest = readRange(fd_, pos, size_, path_);
            const auto nl = rest.find('\n');
            if (nl == std::string::npos) break;
            try {
                batch.records.push_back(recordFromJsonLine(rest.substr(0, nl)));
            } catch (const std::exception&) {
                ++skipped_;
            }
            ++batch.lines;
            pos += nl + 1;
        }
    }
    batch.endOffset = pos;
    return batch;
}

void Spool::commit(const Batch& batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (batch.endOffset <= offset_) return;
    offset_ = batch.endOffset;
    pending_ = pending_ >= batch.lines ? pending_ - batch.lines : 0;
    if (offset_ >= size_) {
        resetFile();
        return;
    }
    writeOffset(offset_);
}

std::uint64_t Spool::pendingRecords() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return pending_;
}

std::uint64_t Spool::bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return size_;
}

std::uint64_t Spool::skippedLines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return skipped_;
}

}  // namespace watchdog
