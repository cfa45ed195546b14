#pragma once

// Reading playlists and looking at segments, on the local disk (file: URIs) or over HTTP(S), within
// one deadline shared by every request of a run.

#include "TlsClientPolicy.h"
#include <Poco/URI.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace watchdog::hls_playlist {

/// The playlist or segment could not be observed (read error, timeout, refused connection, HTTP
/// error for a playlist, a body over the size limit); the text says which and why.
class HlsFetchError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A playlist as read.
struct HlsFetchedText {
    std::string body;         ///< at most the size limit
    Poco::URI uri;            ///< where it finally came from (after redirects): relative URIs resolve against it
    std::string contentType;  ///< HTTP Content-Type ("" for files)
};

/// What a look at one segment found.
struct HlsSegmentProbe {
    bool usable = false;                      ///< present and not empty (as far as the answer tells)
    std::string problem;                      ///< when not usable: "is missing: No such file or directory", "is empty (0 bytes)"
    std::optional<unsigned long long> bytes;  ///< its size, when known
};

/// Reads playlists and probes segments for one run of the check through the shared HttpFetch: every
/// request (one connection each) ends by the run's deadline, connection, headers and body alike;
/// up to 5 redirects are followed.
class HlsFetcher {
public:
    /// Every request of this fetcher ends within `budget` from now. `tls` makes the TLS context for
    /// https; `cancelled` (may be null) stops waiting early.
    HlsFetcher(std::chrono::milliseconds budget, unsigned long long maxBytes, std::function<common::TlsContextPtr()> tls,
               const std::atomic<bool>* cancelled);
    ~HlsFetcher();
    HlsFetcher(const HlsFetcher&) = delete;
    HlsFetcher& operator=(const HlsFetcher&) = delete;

    /// Reads a playlist (file: or http(s):). Throws HlsFetchError.
    HlsFetchedText fetch(const Poco::URI& uri);
    /// Looks at a segment: stat for file:, HEAD (or a one-byte ranged GET where HEAD is refused) for
    /// http(s):. Missing or empty is a probe result; throws HlsFetchError only when it cannot tell.
    HlsSegmentProbe probe(const Poco::URI& uri);

    /// The size limit in the form people write it ("1M", "512K", "300 bytes").
    static std::string sizeText(unsigned long long bytes);

private:
    struct Answer;
    Answer request(const std::string& method, Poco::URI uri, bool ranged, bool keepBody);
    std::string within() const;

    std::chrono::milliseconds budget_;
    std::chrono::steady_clock::time_point deadline_;
    unsigned long long maxBytes_;
    std::function<common::TlsContextPtr()> tls_;
    const std::atomic<bool>* cancelled_;
};

}  // namespace watchdog::hls_playlist
