#pragma once

// The parts of an HTTP exchange that both HttpFetch and the TLS module
// (libencoder-watchdog-tls, TlsModule.h) build sessions from: the watch that ends an exchange at its
// deadline and a Poco session that asks it before every connect, read and write. Internal to
// plugins/common.

#include "HttpFetch.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timespan.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace watchdog::common {

using HttpClock = HttpFetch::Clock;

/// How often the watch asks the caller's cancel test.
constexpr std::chrono::milliseconds kHttpCancelPoll{20};

/// Ends an exchange at its deadline (or when the caller cancels it) from its own thread. Socket
/// timeouts bound one read each, and Poco reads the status line and headers a buffer at a time
/// through calls no subclass can reach, and OpenSSL reads a TLS record in as many reads as the
/// server likes: so at the deadline the watch shuts the socket's read side, and whatever read is
/// blocked returns at once. It keeps its own duplicate of the descriptor, so it never touches a
/// descriptor number the session has closed and the system has handed to another socket.
class DeadlineWatch {
public:
    /// Starts the watch thread; `cancelled` (may be empty) is asked every kHttpCancelPoll.
    DeadlineWatch(HttpClock::time_point deadline, const std::function<bool()>& cancelled)
        : deadline_(deadline), cancelled_(cancelled), thread_([this] { watch(); }) {}

    /// Stops and joins the watch thread.
    ~DeadlineWatch() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            done_ = true;
        }
        wake_.notify_all();
        thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }

    DeadlineWatch(const DeadlineWatch&) = delete;
    DeadlineWatch& operator=(const DeadlineWatch&) = delete;

    /// The session's connected socket (a reconnect attaches the new one).
    void attach(int fd) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd >= 0 ? ::fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
        if (fired_.load() != 0 && fd_ >= 0) ::shutdown(fd_, SHUT_RD);
    }

    /// Why the watch ended the exchange, if it did.
    std::optional<HttpFailure> fired() const {
        switch (fired_.load()) {
            case 1:
                return HttpFailure::TimedOut;
            case 2:
                return HttpFailure::Cancelled;
            default:
                return std::nullopt;
        }
    }

    /// The watch fired or the deadline passed.
    bool expired() const { return fired_.load() != 0 || HttpClock::now() >= deadline_; }

    /// Throws Poco::TimeoutException once the exchange must end.
    void check() const {
        if (expired()) throw Poco::TimeoutException("deadline passed");
    }

    /// The time left, at least 1 ms (a zero timeout means "none" to the socket layer).
    Poco::Timespan left() const {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(deadline_ - HttpClock::now()).count();
        return Poco::Timespan(std::max<long long>(us, 1000));
    }

private:
    void watch() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!done_) {
            if (fired_.load() == 0) {
                int why = 0;
                if (HttpClock::now() >= deadline_)
                    why = 1;
                else if (cancelled_ && cancelled_())
                    why = 2;
                if (why != 0) {
                    fired_.store(why);
                    if (fd_ >= 0) ::shutdown(fd_, SHUT_RD);
                }
            }
            if (fired_.load() != 0)
                wake_.wait(lock, [this] { return done_; });
            else
                wake_.wait_until(lock, cancelled_ ? std::min(deadline_, HttpClock::now() + kHttpCancelPoll) : deadline_);
        }
    }

    const HttpClock::time_point deadline_;
    const std::function<bool()>& cancelled_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    int fd_ = -1;
    std::atomic<int> fired_{0};  // 0 running, 1 timed out, 2 cancelled
    std::thread thread_;         // last: it starts once everything above is ready
};

/// A Poco session whose every connect, read and write first asks the watch how long is left.
template <class Base>
class BoundSession : public Base {
public:
    /// `args` are Base's (host, port, and for HTTPS the context); `phase` follows the exchange.
    template <class... Args>
    BoundSession(DeadlineWatch& watch, HttpPhase& phase, Args&&... args)
        : Base(std::forward<Args>(args)...), watch_(watch), phase_(phase) {}

protected:
    void connect(const Poco::Net::SocketAddress& address) override {
        watch_.check();
        this->setTimeout(watch_.left());
        Base::connect(address);
        watch_.attach(this->socket().impl()->sockfd());
        // Over TLS the handshake runs in the first write (lazy handshake): still connecting.
        if (!this->secure()) phase_ = HttpPhase::Sending;
    }

    int read(char* buffer, std::streamsize length) override {
        watch_.check();
        this->socket().setReceiveTimeout(watch_.left());
        return readBounded(buffer, length);
    }

    /// The read itself, once the watch allowed it (the TLS module's session mends OpenSSL's end of stream).
    virtual int readBounded(char* buffer, std::streamsize length) { return Base::read(buffer, length); }

    int write(const char* buffer, std::streamsize length) override {
        watch_.check();
        this->socket().setSendTimeout(watch_.left());
        const int written = Base::write(buffer, length);
        if (phase_ == HttpPhase::Connecting) phase_ = HttpPhase::Sending;
        return written;
    }

private:
    DeadlineWatch& watch_;
    HttpPhase& phase_;
};

}  // namespace watchdog::common
