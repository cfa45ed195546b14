#pragma once

// One HTTP(S) exchange that ends by an absolute deadline, whatever the server does: the name
// lookup, the connection, the TLS handshake, the request, the status line, the headers and the
// body all share it. A server that trickles its answer a byte at a time cannot stretch it: socket
// timeouts only bound each read, so a watch thread also shuts the socket's read side at the
// deadline. The body is capped. Built on Poco::Net::HTTP(S)ClientSession.

#include "TlsClientPolicy.h"

#include <Poco/Net/NameValueCollection.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace watchdog::common {

/// Which part of an exchange was under way.
enum class HttpPhase {
    Connecting,  ///< looking up the name, connecting (and, for https, the handshake)
    Sending,     ///< writing the request
    Waiting,     ///< waiting for the status line and headers
    Reading,     ///< reading the body
};

/// Why an exchange failed.
enum class HttpFailure {
    TimedOut,    ///< the deadline passed
    Cancelled,   ///< the caller's cancel test said so
    Refused,     ///< nothing listens on the port
    Unresolved,  ///< the host name has no address
    Tls,         ///< the TLS handshake or the certificate failed
    TooLarge,    ///< the body is over the limit
    Other,       ///< anything else the network or the server did (what() says)
};

/// An exchange that did not produce an answer; what() is the underlying reason as Poco or the
/// resolver put it ("Connection refused", "SSL Exception: ... certificate verify failed").
class HttpFetchError : public std::runtime_error {
public:
    /// `reason` is the short form of the text (Poco's message without its class name).
    HttpFetchError(HttpFailure failure, HttpPhase phase, const std::string& what, std::string reason, std::uint64_t bodyBytes = 0);
    /// Why it failed.
    HttpFailure failure() const { return failure_; }
    /// What was under way.
    HttpPhase phase() const { return phase_; }
    /// The reason without the exception's class name ("certificate verify failed ...").
    const std::string& reason() const { return reason_; }
    /// Body bytes received before it failed.
    std::uint64_t bodyBytes() const { return bodyBytes_; }

private:
    HttpFailure failure_;
    HttpPhase phase_;
    std::string reason_;
    std::uint64_t bodyBytes_;
};

/// One request.
struct HttpCall {
    std::string method = "GET";                                ///< "GET", "POST", ...
    std::string url;                                           ///< http:// or https://, with path and query; no user info
    std::vector<std::pair<std::string, std::string>> headers;  ///< sent as given (a Host here replaces the URL's)
    std::string body;                                          ///< sent with Content-Length when not empty (or when the method is POST/PUT)
    std::uint64_t maxBodyBytes = 1 << 20;                      ///< a longer body fails with TooLarge...
    bool truncateBody = false;                                 ///< ...unless this is set: then the first maxBodyBytes are kept
    TlsContextPtr tls;                                         ///< https: the client context; null takes sharedTlsClientContext()
};

/// One answer.
struct HttpAnswer {
    int status = 0;                              ///< the HTTP status
    std::string reason;                          ///< its reason phrase
    Poco::Net::NameValueCollection headers;      ///< every header as received
    std::optional<std::uint64_t> contentLength;  ///< Content-Length, when the server sent one
    std::string body;                            ///< the body, at most maxBodyBytes
    bool truncated = false;                      ///< the body was cut at maxBodyBytes (truncateBody)

    /// Content-Length was sent and the body is shorter: the server closed early.
    bool shortBody() const { return contentLength && body.size() < *contentLength && !truncated; }
};

/// Makes HTTP exchanges that all end by one deadline.
class HttpFetch {
public:
    using Clock = std::chrono::steady_clock;

    /// Every exchange ends by `deadline`; `cancelled` (optional; it is called from a watch thread
    /// every 20 ms, so it must be thread-safe) ends one early.
    explicit HttpFetch(Clock::time_point deadline, std::function<bool()> cancelled = {});
    /// A fetch whose deadline is `budget` from now.
    static HttpFetch within(std::chrono::milliseconds budget, std::function<bool()> cancelled = {});

    /// Sends `call` and reads the whole answer, any status. Throws HttpFetchError.
    HttpAnswer fetch(const HttpCall& call) const;
    /// The deadline.
    Clock::time_point deadline() const { return deadline_; }

private:
    Clock::time_point deadline_;
    std::function<bool()> cancelled_;
};

}  // namespace watchdog::common
