#pragma once

// A loopback TCP server that answers a byte at a time, as a hostile server or a broken proxy does:
// a canned answer after each request, or (relay) whatever a server behind it answers, so that a
// TLS handshake can be trickled too.

#include <chrono>
#include <memory>
#include <string>

namespace watchdog::test {

/// Accepts connections on 127.0.0.1 until destroyed; every connection ends when the client closes
/// it, the answer is out, or the server is destroyed.
class TrickleServer {
public:
    /// What each connection gets.
    struct Settings {
        std::string answer;                   ///< canned: the bytes sent after the request (status line, headers, body)
        std::size_t atOnce = 0;               ///< canned: how many of them go at once, before the trickle starts
        std::chrono::milliseconds pace{200};  ///< one byte per this
        int upstreamPort = 0;                 ///< relay: forward to 127.0.0.1:PORT at once and trickle its answer back
    };

    /// Listens on a free loopback port.
    explicit TrickleServer(Settings settings);
    /// Stops accepting and ends every connection.
    ~TrickleServer();
    TrickleServer(const TrickleServer&) = delete;
    TrickleServer& operator=(const TrickleServer&) = delete;

    /// The port it listens on.
    int port() const;
    /// "http://127.0.0.1:PORT".
    std::string url() const;
    /// Connections accepted so far.
    int connections() const;
    /// Bytes of answers sent so far, over every connection.
    std::size_t bytesSent() const;

    /// The canned answer "HTTP/1.1 200 OK" with this body, Content-Length and Connection: close.
    static std::string okAnswer(const std::string& body, const std::string& contentType = "text/xml");
    /// The length of `answer`'s status line with its CRLF.
    static std::size_t statusLineLength(const std::string& answer);
    /// The length of `answer`'s head (status line and headers with the blank line).
    static std::size_t headLength(const std::string& answer);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace watchdog::test
