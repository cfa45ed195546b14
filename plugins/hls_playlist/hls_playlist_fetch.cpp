#include "hls_playlist_fetch.h"

#include "watchdog/HumanFormat.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace watchdog {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kMaxRedirects = 5;
constexpr std::size_t kProbeBodyLimit = 64 * 1024;  // an error page read to keep the connection; larger ones close it

std::string origin(const Poco::URI& uri) { return uri.getScheme() + "://" + uri.getHost() + ":" + std::to_string(uri.getPort()); }

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

HlsFetcher::HlsFetcher(std::chrono::milliseconds budget, unsigned long long maxBytes,
                       std::function<Poco::Net::Context::Ptr()> tls, const std::atomic<bool>* cancelled)
    : budget_(budget), deadline_(SteadyClock::now() + budget), maxBytes_(maxBytes), tls_(std::move(tls)), cancelled_(cancelled) {}

HlsFetcher::~HlsFetcher() = default;

std::string HlsFetcher::sizeText(unsigned long long bytes) {
    if (bytes >= (1ULL << 30) && bytes % (1ULL << 30) == 0) return std::to_string(bytes >> 30) + "G";
    if (bytes >= (1ULL << 20) && bytes % (1ULL << 20) == 0) return std::to_string(bytes >> 20) + "M";
    if (bytes >= (1ULL << 10) && bytes % (1ULL << 10) == 0) return std::to_string(bytes >> 10) + "K";
    return std::to_string(bytes) + " bytes";
}

std::string HlsFetcher::within() const {
    return " within " + human::duration(budget_);
}

Poco::Net::HTTPClientSession& HlsFetcher::session(const Poco::URI& uri, bool& reused) {
    auto& slot = sessions_[origin(uri)];
    reused = slot != nullptr;
    if (!slot) {
        if (uri.getScheme() == "https")
            slot = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), tls_());
        else
            slot = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        slot->setKeepAlive(true);
    }
    return *slot;
}

void HlsFetcher::dropSession(const Poco::URI& uri) { sessions_.erase(origin(uri)); }

HlsFetcher::Answer HlsFetcher::request(const std::string& method, Poco::URI uri, bool ranged, bool keepBody) {
    auto remaining = [&] {
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline_ - SteadyClock::now());
        return Poco::Timespan(std::max<long long>(left.count(), 1000));
    };
    auto expired = [&] { return SteadyClock::now() >= deadline_; };
    for (int hop = 0, retries = 0; hop <= kMaxRedirects;) {
        if (uri.getScheme() != "http" && uri.getScheme() != "https")
            throw HlsFetchError("cannot follow " + shown(uri) + ": only http and https URLs are read over the network");
        if (expired()) throw HlsFetchError("no answer from " + shown(uri) + within());
        bool reused = false;
        Answer a;
        a.uri = uri;
        try {
            Poco::Net::HTTPClientSession& s = session(uri, reused);
            s.setTimeout(remaining(), remaining(), remaining());
            std::string target = uri.getPathAndQuery();
            if (target.empty() || target[0] != '/') target = "/" + target;
            Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
            req.set("User-Agent", "encoder-watchdog");
            if (ranged) req.set("Range", "bytes=0-0");
            s.sendRequest(req);
            s.socket().setReceiveTimeout(remaining());
            Poco::Net::HTTPResponse resp;
            std::istream& in = s.receiveResponse(resp);
            a.status = resp.getStatus();
            a.reason = resp.getReason();
            a.contentType = resp.getContentType();
            if (resp.hasContentLength()) a.contentLength = resp.getContentLength64();
            a.contentRange = resp.get("Content-Range", "");
            if (isRedirect(a.status) && resp.has("Location")) {
                dropSession(uri);
                Poco::URI next(uri);
                next.resolve(resp.get("Location"));
                uri = next;
                ++hop;
                continue;
            }
            const std::size_t limit = keepBody && a.status == 200 ? maxBytes_ : kProbeBodyLimit;
            if (method == "HEAD") return a;
            if (a.contentLength && static_cast<unsigned long long>(*a.contentLength) > limit) {
                dropSession(uri);  // the rest is never read: this connection cannot carry another request
                if (keepBody && a.status == 200)
                    throw HlsFetchError(shown(uri) + " is larger than max_bytes " + sizeText(maxBytes_) + " (" +
                                        std::to_string(*a.contentLength) + " bytes)");
                return a;
            }
            char buffer[16384];
            while (in) {
                if (cancelled_ && cancelled_->load()) throw HlsFetchError("cancelled while reading " + shown(uri));
                if (expired()) throw Poco::TimeoutException();
                s.socket().setReceiveTimeout(remaining());
                in.read(buffer, sizeof buffer);
                a.body.append(buffer, static_cast<std::size_t>(in.gcount()));
                if (a.body.size() > limit) {
                    dropSession(uri);
                    if (keepBody && a.status == 200)
                        throw HlsFetchError(shown(uri) + " is larger than max_bytes " + sizeText(maxBytes_));
                    return a;
                }
            }
            if (a.contentLength && static_cast<long long>(a.body.size()) < *a.contentLength)
                throw HlsFetchError(shown(uri) + ": the connection closed after " + std::to_string(a.body.size()) + " of " +
                                    std::to_string(*a.contentLength) + " bytes");
            return a;
        } catch (const HlsFetchError&) {
            dropSession(uri);
            throw;
        } catch (const Poco::TimeoutException&) {
            dropSession(uri);
            throw HlsFetchError("no answer from " + shown(uri) + within());
        } catch (const Poco::Net::ConnectionRefusedException&) {
            dropSession(uri);
            throw HlsFetchError("cannot connect to " + uri.getHost() + ":" + std::to_string(uri.getPort()) + ": connection refused");
        } catch (const Poco::Net::HostNotFoundException&) {
            dropSession(uri);
            throw HlsFetchError("cannot resolve host " + uri.getHost());
        } catch (const Poco::Net::NoAddressFoundException&) {
            dropSession(uri);
            throw HlsFetchError("cannot resolve host " + uri.getHost());
        } catch (const Poco::Net::SSLException& e) {
            dropSession(uri);
            throw HlsFetchError("TLS with " + uri.getHost() + ":" + std::to_string(uri.getPort()) + " failed: " + e.message());
        } catch (const Poco::Exception& e) {
            dropSession(uri);
            // A kept-alive connection the server has closed meanwhile: one fresh try.
            if (reused && retries == 0 && a.status == 0 && !expired()) {
                ++retries;
                continue;
            }
            throw HlsFetchError("request for " + shown(uri) + " failed: " + e.displayText());
        } catch (const std::exception& e) {
            dropSession(uri);
            throw HlsFetchError("request for " + shown(uri) + " failed: " + e.what());
        }
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
    if (a.status != 200)
        throw HlsFetchError(shown(a.uri) + " answered HTTP " + std::to_string(a.status) + " " + a.reason);
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
        if (!total.empty() && total.find_first_not_of("0123456789") == std::string::npos && total.size() < 19)
            p.bytes = std::stoull(total);
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

}  // namespace watchdog
