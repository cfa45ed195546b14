#include "TrickleServer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace watchdog::test {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPollMs = 20;                   // how often a connection looks at the stop flag
constexpr std::size_t kMaxRequest = 1 << 20;  // a request larger than this is not waited for

int connectLoopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    return fd;
}

// True once `request` holds a whole HTTP request: the head and Content-Length bytes of body.
bool completeRequest(const std::string& request) {
    const auto end = request.find("\r\n\r\n");
    if (end == std::string::npos) return request.size() >= kMaxRequest;
    std::string head = request.substr(0, end);
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::size_t length = 0;
    const auto at = head.find("\ncontent-length:");
    if (at != std::string::npos) length = std::strtoull(head.c_str() + at + 16, nullptr, 10);
    return request.size() >= end + 4 + std::min(length, kMaxRequest);
}

}  // namespace

struct TrickleServer::State {
    Settings settings;
    int listenFd = -1;
    int port = 0;
    std::atomic<bool> stopping{false};
    std::atomic<int> connections{0};
    std::atomic<std::size_t> sent{0};
    std::thread acceptor;
    std::mutex mutex;
    std::vector<std::thread> workers;

    void accept() {
        while (!stopping) {
            pollfd p{listenFd, POLLIN, 0};
            if (::poll(&p, 1, kPollMs) <= 0) continue;
            const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++connections;
            std::lock_guard<std::mutex> lock(mutex);
            workers.emplace_back([this, fd] { serve(fd); });
        }
    }

    // One connection: the request goes upstream (relay) or is read whole (canned); the answer goes
    // back one byte per pace.
    void serve(int client) {
        const bool relay = settings.upstreamPort != 0;
        const int upstream = relay ? connectLoopback(settings.upstreamPort) : -1;
        std::string request;
        std::string pending;
        bool answered = relay;
        bool upstreamOpen = upstream >= 0;
        auto nextByte = Clock::now();
        auto send = [&](const char* data, std::size_t n) {
            const ssize_t rc = ::send(client, data, n, MSG_NOSIGNAL);
            if (rc > 0) sent += static_cast<std::size_t>(rc);
            return rc == static_cast<ssize_t>(n);
        };
        while (!stopping && !(relay && upstream < 0)) {
            pollfd fds[2] = {{client, POLLIN, 0}, {upstreamOpen ? upstream : -1, POLLIN, 0}};
            int wait = kPollMs;
            if (!pending.empty())
                wait = static_cast<int>(std::clamp<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(nextByte - Clock::now()).count(), 0, kPollMs));
            ::poll(fds, 2, wait);
            char buffer[16384];
            if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
                if (n <= 0) break;  // the client gave up
                if (relay) {
                    if (::send(upstream, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
                } else if (!answered) {
                    request.append(buffer, static_cast<std::size_t>(n));
                    if (completeRequest(request)) {
                        answered = true;
                        const std::size_t first = std::min(settings.atOnce, settings.answer.size());
                        if (first > 0 && !send(settings.answer.data(), first)) break;
                        pending = settings.answer.substr(first);
                        nextByte = Clock::now() + settings.pace;
                    }
                }
            }
            if (upstreamOpen && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                const ssize_t n = ::recv(upstream, buffer, sizeof buffer, 0);
                if (n > 0) {
                    if (pending.empty()) nextByte = std::max(nextByte, Clock::now());
                    pending.append(buffer, static_cast<std::size_t>(n));
                } else {
                    upstreamOpen = false;
                }
            }
            if (!pending.empty() && Clock::now() >= nextByte) {
                if (!send(pending.data(), 1)) break;
                pending.erase(0, 1);
                nextByte = Clock::now() + settings.pace;
            }
            if (pending.empty() && answered && !upstreamOpen) break;  // everything is out
        }
        if (upstream >= 0) ::close(upstream);
        ::shutdown(client, SHUT_RDWR);
        ::close(client);
    }
};

TrickleServer::TrickleServer(Settings settings) : state_(std::make_unique<State>()) {
    state_->settings = std::move(settings);
    state_->listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (state_->listenFd < 0 || ::bind(state_->listenFd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(state_->listenFd, 64) != 0 || ::getsockname(state_->listenFd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        throw std::runtime_error("TrickleServer: cannot listen on 127.0.0.1");
    state_->port = ntohs(addr.sin_port);
    state_->acceptor = std::thread([s = state_.get()] { s->accept(); });
}

TrickleServer::~TrickleServer() {
    state_->stopping = true;
    state_->acceptor.join();
    ::close(state_->listenFd);
    for (auto& worker : state_->workers) worker.join();
}

int TrickleServer::port() const { return state_->port; }

std::string TrickleServer::url() const { return "http://127.0.0.1:" + std::to_string(state_->port); }

int TrickleServer::connections() const { return state_->connections; }

std::size_t TrickleServer::bytesSent() const { return state_->sent; }

std::string TrickleServer::okAnswer(const std::string& body, const std::string& contentType) {
    return "HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

std::size_t TrickleServer::statusLineLength(const std::string& answer) {
    const auto end = answer.find("\r\n");
    return end == std::string::npos ? answer.size() : end + 2;
}

std::size_t TrickleServer::headLength(const std::string& answer) {
    const auto end = answer.find("\r\n\r\n");
    return end == std::string::npos ? answer.size() : end + 4;
}

}  // namespace watchdog::test
