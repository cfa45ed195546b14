#include "isolation/LineChannel.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace watchdog {

namespace {

using Steady = std::chrono::steady_clock;

/// Milliseconds until `deadline`, at most `most`, for poll().
int pollMs(LineChannel::Deadline deadline, int most) {
    if (deadline == LineChannel::Deadline::max()) return most;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, most));
}

}  // namespace

LineChannel::LineChannel(int fd) : fd_(fd) {}

LineChannel::~LineChannel() {
    if (fd_ >= 0) ::close(fd_);
}

bool LineChannel::send(const std::string& line, Deadline deadline) {
    std::lock_guard<std::mutex> lock(sending_);
    const std::string data = line + '\n';
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
        if (Steady::now() >= deadline) return false;
        pollfd p{fd_, POLLOUT, 0};
        ::poll(&p, 1, pollMs(deadline, 50));
    }
    return true;
}

LineChannel::Read LineChannel::receive(std::string& line, Deadline deadline, const std::function<bool()>& stop, std::size_t maxBytes) {
    while (true) {
        if (const auto end = buffer_.find('\n'); end != std::string::npos) {
            line.assign(buffer_, 0, end);
            buffer_.erase(0, end + 1);
            return line.size() > maxBytes ? Read::TooLong : Read::Line;
        }
        if (buffer_.size() > maxBytes) return Read::TooLong;
        if (stop && stop()) return Read::Stopped;
        if (Steady::now() >= deadline) return Read::Timeout;
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, pollMs(deadline, stop ? 50 : 1000));
        if (ready <= 0) continue;
        char chunk[65536];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n > 0)
            buffer_.append(chunk, static_cast<std::size_t>(n));
        else if (n == 0)
            return Read::Closed;
        else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return Read::Closed;
    }
}

}  // namespace watchdog
