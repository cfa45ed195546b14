#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

namespace watchdog {

/// One end of the socket between the daemon and a check process: one JSON object per line.
/// A send to a process that has gone fails (EPIPE) instead of raising SIGPIPE. Sending is safe from
/// several threads at once (a plugin's threads log while its run() answers); receiving is for one.
class LineChannel {
public:
    using Deadline = std::chrono::steady_clock::time_point;

    /// What receive() found.
    enum class Read { Line, Timeout, Stopped, Closed, TooLong };

    /// Takes ownership of a connected stream socket.
    explicit LineChannel(int fd);
    ~LineChannel();
    LineChannel(const LineChannel&) = delete;
    LineChannel& operator=(const LineChannel&) = delete;

    /// Sends `line` and a newline; false when the other end is gone or the deadline passes first.
    bool send(const std::string& line, Deadline deadline = Deadline::max());
    /// The next line (without its newline) into `line`; Timeout at the deadline, Stopped as soon as
    /// `stop` says so (asked every 50 ms), Closed at end of file, TooLong past `maxBytes`.
    Read receive(std::string& line, Deadline deadline, const std::function<bool()>& stop, std::size_t maxBytes);
    /// The socket.
    int fd() const { return fd_; }

private:
    int fd_;
    std::mutex sending_;
    std::string buffer_;  // received bytes after the last whole line
};

}  // namespace watchdog
