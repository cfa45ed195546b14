#include "HttpFetch.h"

#include "HttpSession.h"
#include "TlsClientPolicy.h"
#include "TlsModule.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>

namespace watchdog::common {

namespace {

using Clock = HttpFetch::Clock;

std::string phaseText(HttpPhase phase) {
    switch (phase) {
        case HttpPhase::Connecting:
            return "connecting";
        case HttpPhase::Sending:
            return "sending the request";
        case HttpPhase::Waiting:
            return "waiting for the answer";
        case HttpPhase::Reading:
            return "reading the body";
    }
    return "";
}

// "timed out while reading the body", "cancelled while connecting".
std::string endedText(HttpFailure why, HttpPhase phase) {
    return (why == HttpFailure::Cancelled ? "cancelled while " : "timed out while ") + phaseText(phase);
}

// The address to connect to, looked up within the deadline: Poco's own lookup (getaddrinfo) can
// block for the resolver's full retry time. IPv4 first, as Poco's SocketAddress orders them.
std::string addressFor(const std::string& host, const DeadlineWatch& watch) {
    Poco::Net::IPAddress literal;
    if (Poco::Net::IPAddress::tryParse(host, literal)) return host;
    struct Lookup {
        std::string name;
        addrinfo hints{};
        gaicb request{};
    };
    auto lookup = std::make_unique<Lookup>();
    lookup->name = host;
    lookup->hints.ai_family = AF_UNSPEC;
    lookup->hints.ai_socktype = SOCK_STREAM;
    lookup->request.ar_name = lookup->name.c_str();
    lookup->request.ar_request = &lookup->hints;
    gaicb* list[1] = {&lookup->request};
    int rc = ::getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr);
    if (rc != 0) throw Poco::Net::HostNotFoundException(host, ::gai_strerror(rc));
    while ((rc = ::gai_error(&lookup->request)) == EAI_INPROGRESS) {
        if (watch.expired()) {
            if (::gai_cancel(&lookup->request) == EAI_NOTCANCELED)
                (void)lookup.release();  // the resolver still writes into it: it is left to the resolver
            else if (lookup->request.ar_result)
                ::freeaddrinfo(lookup->request.ar_result);
            throw Poco::TimeoutException("name lookup of " + host);
        }
        const auto slice = std::min<Clock::duration>(kHttpCancelPoll, std::chrono::microseconds(watch.left().totalMicroseconds()));
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(slice).count();
        const timespec wait{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
        const gaicb* const pending[1] = {&lookup->request};
        ::gai_suspend(pending, 1, &wait);
    }
    if (rc != 0) throw Poco::Net::HostNotFoundException(host);
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> result(lookup->request.ar_result, &::freeaddrinfo);
    for (int family : {AF_INET, AF_INET6}) {
        for (const addrinfo* a = result.get(); a; a = a->ai_next) {
            if (a->ai_family != family) continue;
            char text[INET6_ADDRSTRLEN] = {};
            const void* raw = family == AF_INET ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr)
                                                : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr);
            if (::inet_ntop(family, raw, text, sizeof text)) return text;
        }
    }
    throw Poco::Net::NoAddressFoundException(host);
}

HttpFailure classify(const Poco::Exception& e) {
    if (dynamic_cast<const Poco::TimeoutException*>(&e)) return HttpFailure::TimedOut;
    if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e)) return HttpFailure::Refused;
    if (dynamic_cast<const Poco::Net::HostNotFoundException*>(&e) || dynamic_cast<const Poco::Net::NoAddressFoundException*>(&e))
        return HttpFailure::Unresolved;
    // The TLS module's own errors, and the module itself missing: both mean TLS could not be had.
    if (dynamic_cast<const Poco::LibraryLoadException*>(&e)) return HttpFailure::Tls;
    if (const TlsModuleApi* tls = loadedTlsModule(); tls && tls->isTlsError(e)) return HttpFailure::Tls;
    return HttpFailure::Other;
}

// Streams swallow what their buffers throw unless told otherwise; the session keeps it too.
[[noreturn]] void rethrowSessionError(const Poco::Net::HTTPClientSession& session, HttpPhase phase) {
    if (session.networkException()) session.networkException()->rethrow();
    throw Poco::IOException("the connection failed while " + phaseText(phase));
}

// One call of HttpFetch::fetch: the phase it has reached and the answer so far, which every
// error it throws reports.
class Exchange {
public:
    explicit Exchange(const HttpCall& call) : call_(call) {}

    HttpAnswer run(Clock::time_point deadline, const std::function<bool()>& cancelled) {
        const Poco::URI uri = parseUrl();
        std::optional<DeadlineWatch> watchSlot;
        try {
            watchSlot.emplace(deadline, cancelled);
        } catch (const std::exception& e) {  // no thread to be had
            throw error(HttpFailure::Other, e.what(), e.what());
        }
        DeadlineWatch& watch = *watchSlot;
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        try {
            session = openSession(uri, watch);
            sendRequest(*session, uri);
            Poco::Net::HTTPResponse response;
            std::istream& in = receiveHead(*session, response);
            if (call_.method == Poco::Net::HTTPRequest::HTTP_HEAD) return std::move(answer_);
            readBody(*session, in);
            // A body read to the end of the connection cannot tell the watch's shutdown from the
            // server's close: only a body that is complete by its Content-Length survives the deadline.
            if (auto why = watch.fired(); why && !(answer_.contentLength && answer_.body.size() == *answer_.contentLength))
                throw endedBy(*why);
            return std::move(answer_);
        } catch (const HttpFetchError&) {
            throw;
        } catch (const Poco::Exception& e) {
            if (auto why = watch.fired()) throw endedBy(*why);
            const HttpFailure failure = classify(e);
            if (failure == HttpFailure::TimedOut) throw endedBy(failure);
            throw error(failure, e.displayText(), e.message().empty() ? e.displayText() : e.message());
        } catch (const std::exception& e) {
            if (auto why = watch.fired()) throw endedBy(*why);
            throw error(HttpFailure::Other, e.what(), e.what());
        }
    }

private:
    HttpFetchError error(HttpFailure failure, const std::string& what, const std::string& reason) const {
        return HttpFetchError(failure, phase_, what, reason, answer_.body.size());
    }

    // The exchange was timed out or cancelled in the current phase.
    HttpFetchError endedBy(HttpFailure why) const { return error(why, endedText(why, phase_), endedText(why, phase_)); }

    HttpFetchError tooLarge() const {
        return error(HttpFailure::TooLarge, "the answer is larger than the limit", "the answer is larger than the limit");
    }

    Poco::URI parseUrl() const {
        Poco::URI uri;
        try {
            uri = Poco::URI(call_.url);
        } catch (const Poco::Exception& e) {
            throw error(HttpFailure::Other, e.displayText(), e.message());
        }
        if (uri.getScheme() != "https" && uri.getScheme() != "http")
            throw error(HttpFailure::Other, "not an http(s) URL", "not an http(s) URL");
        return uri;
    }

    // The session connects to the address found within the deadline; the request and the
    // certificate check still name the host.
    std::unique_ptr<Poco::Net::HTTPClientSession> openSession(const Poco::URI& uri, DeadlineWatch& watch) {
        const std::string address = addressFor(uri.getHost(), watch);
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (uri.getScheme() == "https") {
            // The TLS libraries are loaded with the first https exchange (TlsModule.h).
            const TlsContextPtr context = call_.tls ? call_.tls : sharedTlsClientContext();
            session = tlsModule().openSession(watch, phase_, address, uri.getPort(), uri.getHost(), context);
        } else {
            session = std::make_unique<BoundSession<Poco::Net::HTTPClientSession>>(watch, phase_, address, uri.getPort());
        }
        session->setTimeout(watch.left());
        return session;
    }

    void sendRequest(Poco::Net::HTTPClientSession& session, const Poco::URI& uri) {
        std::string target = uri.getPathAndQuery();
        if (target.empty() || target[0] != '/') target = "/" + target;
        Poco::Net::HTTPRequest request(call_.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setHost(uri.getHost(), uri.getPort());
        for (const auto& [name, value] : call_.headers) request.set(name, value);
        const bool withBody =
            !call_.body.empty() || call_.method == Poco::Net::HTTPRequest::HTTP_POST || call_.method == Poco::Net::HTTPRequest::HTTP_PUT;
        if (withBody) request.setContentLength(static_cast<std::streamsize>(call_.body.size()));

        std::ostream& out = session.sendRequest(request);
        if (!out) rethrowSessionError(session, phase_);
        out.exceptions(std::ios::badbit);
        if (withBody) out.write(call_.body.data(), static_cast<std::streamsize>(call_.body.size()));
        out.flush();
    }

    // Waits for the status line and headers and keeps them in the answer; the body stream follows.
    std::istream& receiveHead(Poco::Net::HTTPClientSession& session, Poco::Net::HTTPResponse& response) {
        phase_ = HttpPhase::Waiting;
        std::istream& in = session.receiveResponse(response);
        phase_ = HttpPhase::Reading;
        answer_.status = static_cast<int>(response.getStatus());
        answer_.reason = response.getReason();
        answer_.headers = static_cast<const Poco::Net::NameValueCollection&>(response);
        if (response.hasContentLength() && response.getContentLength64() >= 0)
            answer_.contentLength = static_cast<std::uint64_t>(response.getContentLength64());
        return in;
    }

    // Reads the body up to maxBodyBytes: past it, cuts it (truncateBody) or fails.
    void readBody(Poco::Net::HTTPClientSession& session, std::istream& in) {
        if (answer_.contentLength && *answer_.contentLength > call_.maxBodyBytes && !call_.truncateBody) throw tooLarge();
        if (!in) rethrowSessionError(session, phase_);
        in.exceptions(std::ios::badbit);
        char buffer[16384];
        while (true) {
            const std::uint64_t room = call_.maxBodyBytes + 1 - answer_.body.size();
            in.read(buffer, static_cast<std::streamsize>(std::min<std::uint64_t>(sizeof buffer, room)));
            answer_.body.append(buffer, static_cast<std::size_t>(in.gcount()));
            if (answer_.body.size() > call_.maxBodyBytes) {
                if (!call_.truncateBody) throw tooLarge();
                answer_.body.resize(call_.maxBodyBytes);
                answer_.truncated = true;
                return;
            }
            if (!in) return;
        }
    }

    const HttpCall& call_;
    HttpPhase phase_ = HttpPhase::Connecting;
    HttpAnswer answer_;
};

}  // namespace

HttpFetchError::HttpFetchError(HttpFailure failure, HttpPhase phase, const std::string& what, std::string reason, std::uint64_t bodyBytes)
    : std::runtime_error(what), failure_(failure), phase_(phase), reason_(std::move(reason)), bodyBytes_(bodyBytes) {}

HttpFetch::HttpFetch(Clock::time_point deadline, std::function<bool()> cancelled) : deadline_(deadline), cancelled_(std::move(cancelled)) {}

HttpFetch HttpFetch::within(std::chrono::milliseconds budget, std::function<bool()> cancelled) {
    return HttpFetch(Clock::now() + budget, std::move(cancelled));
}

HttpAnswer HttpFetch::fetch(const HttpCall& call) const { return Exchange(call).run(deadline_, cancelled_); }

}  // namespace watchdog::common
