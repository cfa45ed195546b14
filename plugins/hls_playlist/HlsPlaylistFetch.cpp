#include "HlsPlaylistFetch.h"

#include "HttpFetch.h"
#include <watchdog/HumanFormat.h>

#include <Poco/Net/HTTPRequest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace watchdog::hls_playlist {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kMaxRedirects = 5;
constexpr std::size_t kProbeBodyLimit = 64 * 1024;  // of an error page or a ranged answer

// A URL as messages show it: never its user info (a password may sit there).
std::string shown(const Poco::URI& uri) {
    if (uri.getScheme() == "file") return uri.getPath();
    Poco::URI copy(uri);
    copy.setUserInfo("");
    copy.setFragment("");
    return copy.toString();
}

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

bool isRedirect(int status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

}  // namespace

struct HlsFetcher::Answer {
    int status = 0;
    std::string reason;
    std::string body;
    std::string contentType;
    std::optional<long long> contentLength;
    std::string contentRange;
    Poco::URI uri;
};

HlsFetcher::HlsFetcher(std::chrono::milliseconds budget, unsigned long long maxBytes, std::function<common::TlsContextPtr()> tls,
                       const std::atomic<bool>* cancelled)
    : budget_(budget), deadline_(SteadyClock::now() + budget), maxBytes_(maxBytes), tls_(std::move(tls)), cancelled_(cancelled) {}

HlsFetcher::~HlsFetcher() = default;

std::string HlsFetcher::sizeText(unsigned long long bytes) {
    if (bytes >= (1ULL << 30) && bytes % (1ULL << 30) == 0) return std::to_string(bytes >> 30) + "G";
    if (bytes >= (1ULL << 20) && bytes % (1ULL << 20) == 0) return std::to_string(bytes >> 20) + "M";
    if (bytes >= (1ULL << 10) && bytes % (1ULL << 10) == 0) return std::to_string(bytes >> 10) + "K";
    return std::to_string(bytes) + " bytes";
}

std::string HlsFetcher::within() const { return " within " + human::duration(budget_); }

HlsFetcher::Answer HlsFetcher::request(const std::string& method, Poco::URI uri, bool ranged, bool keepBody) {
    using common::HttpFailure;
    // Every request of the run shares the run's deadline: a server that trickles its headers or body
    // a byte at a time cannot stretch it (HttpFetch's watch ends the exchange at the deadline).
    const common::HttpFetch http(deadline_, [this] { return cancelled_ && cancelled_->load(); });
    for (int hop = 0; hop <= kMaxRedirects; ++hop) {
        if (uri.getScheme() != "http" && uri.getScheme() != "https")
            throw HlsFetchError("cannot follow " + shown(uri) + ": only http and https URLs are read over the network");
        common::HttpCall call;
        call.method = method;
        call.url = shown(uri);
        call.headers = {{"User-Agent", "encoder-watchdog"}};
        if (ranged) call.headers.emplace_back("Range", "bytes=0-0");
        // An error page is read only in part; a playlist up to max_bytes, and one byte more tells it is over.
        call.maxBodyBytes = keepBody ? maxBytes_ : kProbeBodyLimit;
        call.truncateBody = true;
        call.tls = uri.getScheme() == "https" ? tls_() : nullptr;
        common::HttpAnswer reply;
        try {
            reply = http.fetch(call);
        } catch (const common::HttpFetchError& e) {
            switch (e.failure()) {
                case HttpFailure::TimedOut:
                    throw HlsFetchError("no answer from " + shown(uri) + within());
                case HttpFailure::Cancelled:
                    throw HlsFetchError("cancelled while reading " + shown(uri));
                case HttpFailure::Refused:
                    throw HlsFetchError("cannot connect to " + uri.getHost() + ":" + std::to_string(uri.getPort()) +
                                        ": connection refused");
                case HttpFailure::Unresolved:
                    throw HlsFetchError("cannot resolve host " + uri.getHost());
                case HttpFailure::Tls:
                    throw HlsFetchError("TLS with " + uri.getHost() + ":" + std::to_string(uri.getPort()) + " failed: " + e.reason());
                case HttpFailure::TooLarge:
                case HttpFailure::Other:
                    break;
            }
            throw HlsFetchError("request for " + shown(uri) + " failed: " + e.reason());
        }
        Answer a;
        a.uri = uri;
        a.status = reply.status;
        a.reason = reply.reason;
        a.contentType = reply.headers.get("Content-Type", "");
        if (reply.contentLength) a.contentLength = static_cast<long long>(*reply.contentLength);
        a.contentRange = reply.headers.get("Content-Range", "");
        if (isRedirect(a.status) && reply.headers.has("Location")) {
            uri.resolve(reply.headers.get("Location"));
            continue;
        }
        if (keepBody && a.status == 200 &&
            (reply.truncated || (a.contentLength && static_cast<unsigned long long>(*a.contentLength) > maxBytes_)))
            throw HlsFetchError(shown(uri) + " is larger than max_bytes " + sizeText(maxBytes_) +
                                (a.contentLength ? " (" + std::to_string(*a.contentLength) + " bytes)" : std::string()));
        if (keepBody && a.status == 200 && reply.shortBody())
            throw HlsFetchError(shown(uri) + ": the connection closed after " + std::to_string(reply.body.size()) + " of " +
                                std::to_string(*a.contentLength) + " bytes");
        a.body = std::move(reply.body);
        return a;
    }
    throw HlsFetchError(shown(uri) + ": more than " + std::to_string(kMaxRedirects) + " redirects");
}

HlsFetchedText HlsFetcher::fetch(const Poco::URI& uri) {
    HlsFetchedText out;
    out.uri = uri;
    if (uri.getScheme() == "file") {
        const std::string path = uri.getPath();
        // O_NONBLOCK: a FIFO in the playlist's place must not hang the check.
        Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
        if (f.fd < 0) throw HlsFetchError("cannot read " + path + ": " + std::strerror(errno));
        struct stat st {};
        if (::fstat(f.fd, &st) != 0) throw HlsFetchError("cannot read " + path + ": " + std::strerror(errno));
        if (!S_ISREG(st.st_mode)) throw HlsFetchError("cannot read " + path + ": not a regular file");
        if (static_cast<unsigned long long>(st.st_size) > maxBytes_)
            throw HlsFetchError(path + " is larger than max_bytes " + sizeText(maxBytes_) + " (" + std::to_string(st.st_size) + " bytes)");
        char buffer[16384];
        while (true) {
            const ssize_t n = ::read(f.fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw HlsFetchError("cannot read " + path + ": " + std::strerror(errno));
            if (n == 0) break;
            out.body.append(buffer, static_cast<std::size_t>(n));
            if (out.body.size() > maxBytes_) throw HlsFetchError(path + " is larger than max_bytes " + sizeText(maxBytes_));
        }
        return out;
    }
    Answer a = request(Poco::Net::HTTPRequest::HTTP_GET, uri, false, true);
    if (a.status != 200) throw HlsFetchError(shown(a.uri) + " answered HTTP " + std::to_string(a.status) + " " + a.reason);
    out.body = std::move(a.body);
    out.uri = a.uri;
    out.contentType = a.contentType;
    return out;
}

HlsSegmentProbe HlsFetcher::probe(const Poco::URI& uri) {
    HlsSegmentProbe p;
    if (uri.getScheme() == "file") {
        struct stat st {};
        if (::stat(uri.getPath().c_str(), &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) {
                p.problem = std::string("is missing: ") + std::strerror(errno);
                return p;
            }
            throw HlsFetchError("cannot look at " + uri.getPath() + ": " + std::strerror(errno));
        }
        if (!S_ISREG(st.st_mode)) {
            p.problem = "is not a regular file";
            return p;
        }
        p.bytes = static_cast<unsigned long long>(st.st_size);
        if (st.st_size == 0) p.problem = "is empty (0 bytes)";
        p.usable = st.st_size > 0;
        return p;
    }
    Answer a = request(Poco::Net::HTTPRequest::HTTP_HEAD, uri, false, false);
    if (a.status == 405 || a.status == 501) a = request(Poco::Net::HTTPRequest::HTTP_GET, uri, true, false);
    const std::string http = "HTTP " + std::to_string(a.status) + " " + a.reason;
    if (a.status == 200) {
        p.bytes = a.contentLength ? std::optional<unsigned long long>(static_cast<unsigned long long>(*a.contentLength)) : std::nullopt;
    } else if (a.status == 206) {
        const auto slash = a.contentRange.rfind('/');
        const std::string total = slash == std::string::npos ? "" : a.contentRange.substr(slash + 1);
        if (!total.empty() && total.find_first_not_of("0123456789") == std::string::npos && total.size() < 19) p.bytes = std::stoull(total);
    } else if (a.status == 416) {
        p.problem = "is empty (" + http + " for its first byte)";
        p.bytes = 0;
        return p;
    } else if (a.status == 404 || a.status == 410) {
        p.problem = "is missing (" + http + ")";
        return p;
    } else {
        p.problem = "cannot be fetched (" + http + ")";
        return p;
    }
    if (p.bytes && *p.bytes == 0) {
        p.problem = "is empty (0 bytes)";
        return p;
    }
    p.usable = true;
    return p;
}

}  // namespace watchdog::hls_playlist
