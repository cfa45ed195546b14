// HttpFetch against loopback servers: whole answers, capped bodies, refused connections, TLS
// verification, and servers that trickle each part of the answer (or the TLS handshake) one byte
// every 200 ms, which must end at the deadline instead of stretching it.
#include "HttpFetch.h"
#include "TlsClientPolicy.h"

#include "TestSupport.h"
#include "TrickleServer.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>

#include <doctest/doctest.h>

#include <atomic>
#include <string>

using namespace watchdog::common;
using watchdog::test::LocalHttpServer;
using watchdog::test::TrickleServer;
using namespace std::chrono_literals;

namespace {

// Runs `call` within `budget`; the error, or a failed CHECK when there is none.
HttpFetchError failureOf(const HttpCall& call, std::chrono::milliseconds budget = 500ms, std::function<bool()> cancelled = {}) {
    try {
        HttpAnswer answer = HttpFetch::within(budget, std::move(cancelled)).fetch(call);
        FAIL("expected an error, got HTTP " << answer.status << " with " << answer.body.size() << " bytes");
    } catch (const HttpFetchError& e) {
        return e;
    }
    return HttpFetchError(HttpFailure::Other, HttpPhase::Connecting, "unreachable", "unreachable");
}

HttpCall get(const std::string& url) {
    HttpCall call;
    call.url = url;
    return call;
}

std::string failureName(HttpFailure f) {
    switch (f) {
        case HttpFailure::TimedOut:
            return "timed out";
        case HttpFailure::Cancelled:
            return "cancelled";
        case HttpFailure::Refused:
            return "refused";
        case HttpFailure::Unresolved:
            return "unresolved";
        case HttpFailure::Tls:
            return "tls";
        case HttpFailure::TooLarge:
            return "too large";
        case HttpFailure::Other:
            return "other";
    }
    return "?";
}

std::string phaseName(HttpPhase p) {
    switch (p) {
        case HttpPhase::Connecting:
            return "connecting";
        case HttpPhase::Sending:
            return "sending";
        case HttpPhase::Waiting:
            return "waiting";
        case HttpPhase::Reading:
            return "reading";
    }
    return "?";
}

const std::string kBody = "<?xml version=\"1.0\"?>\n<icestats><sources>1</sources>" + std::string(200, ' ') + "</icestats>\n";

}  // namespace

TEST_CASE("a whole answer: status, reason, headers and body; the request carries its method, headers and body") {
    std::string seen;
    LocalHttpServer server([&](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        std::string body;
        Poco::StreamCopier::copyToString(request.stream(), body);
        seen = request.getMethod() + " " + request.getURI() + " host=" + request.getHost() + " x=" + request.get("X-Test", "") +
               " body=" + body;
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_ACCEPTED);
        response.set("X-Answer", "yes");
        response.setContentLength(5);
        response.send() << "hello";
    });
    HttpCall call;
    call.method = "POST";
    call.url = server.url() + "/path?q=1";
    call.headers = {{"X-Test", "1"}};
    call.body = "{\"a\":1}";
    const HttpAnswer a = HttpFetch::within(5s).fetch(call);
    CHECK(a.status == 202);
    CHECK(a.reason == "Accepted");
    CHECK(a.headers.get("X-Answer", "") == "yes");
    CHECK(a.contentLength == 5u);
    CHECK(a.body == "hello");
    CHECK_FALSE(a.shortBody());
    CHECK(seen == "POST /path?q=1 host=127.0.0.1:" + std::to_string(server.port()) + " x=1 body={\"a\":1}");
}

TEST_CASE("a host name is looked up (localhost) and named in the Host header") {
    std::string host;
    LocalHttpServer server([&](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        host = request.getHost();
        response.send() << "ok";
    });
    const HttpAnswer a = HttpFetch::within(5s).fetch(get("http://localhost:" + std::to_string(server.port()) + "/"));
    CHECK(a.body == "ok");
    CHECK(host == "localhost:" + std::to_string(server.port()));
}

TEST_CASE("a body over the limit fails, or is cut when truncateBody says so; a short body is reported") {
    std::string mode;
    LocalHttpServer server([&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
        response.setKeepAlive(false);
        if (mode == "declared") {
            response.setContentLength(10000);
            response.send() << std::string(10000, 'x');
        } else if (mode == "short") {
            response.setContentLength(1000);
            response.send() << "only this";
        } else {
            response.setChunkedTransferEncoding(true);
            response.send() << std::string(10000, 'x');
        }
    });
    HttpCall call = get(server.url() + "/");
    call.maxBodyBytes = 4096;

    mode = "declared";
    HttpFetchError declared = failureOf(call, 5s);
    CHECK(failureName(declared.failure()) == "too large");
    CHECK(declared.bodyBytes() == 0);  // refused by its Content-Length, before reading
    mode = "chunked";
    HttpFetchError chunked = failureOf(call, 5s);
    CHECK(failureName(chunked.failure()) == "too large");
    CHECK(phaseName(chunked.phase()) == "reading");

    call.truncateBody = true;
    const HttpAnswer cut = HttpFetch::within(5s).fetch(call);
    CHECK(cut.body == std::string(4096, 'x'));
    CHECK(cut.truncated);

    mode = "short";
    const HttpAnswer shortAnswer = HttpFetch::within(5s).fetch(call);
    CHECK(shortAnswer.body == "only this");
    CHECK(shortAnswer.shortBody());
}

TEST_CASE("nothing listening is Refused while connecting, with Poco's text") {
    const HttpFetchError e = failureOf(get("http://127.0.0.1:" + std::to_string(watchdog::test::freeLoopbackPort()) + "/"));
    CHECK(failureName(e.failure()) == "refused");
    CHECK(phaseName(e.phase()) == "connecting");
    CHECK(std::string(e.what()) == "Connection refused");
}

TEST_CASE("an answer trickled one byte every 200 ms ends at the deadline, whichever part trickles") {
    const std::string answer = TrickleServer::okAnswer(kBody);
    struct Case {
        const char* part;
        std::size_t atOnce;
        const char* phase;
    };
    for (const Case& c : {Case{"status line", 0, "waiting"}, Case{"headers", TrickleServer::statusLineLength(answer), "waiting"},
                          Case{"body", TrickleServer::headLength(answer) + 10, "reading"}}) {
        CAPTURE(c.part);
        TrickleServer server({answer, c.atOnce, 200ms, 0});
        const HttpFetchError e = failureOf(get(server.url() + "/admin/stats"), 500ms);
        CHECK(failureName(e.failure()) == "timed out");
        CHECK(phaseName(e.phase()) == c.phase);
        CHECK(std::string(e.what()) ==
              std::string("timed out while ") + (c.phase == std::string("waiting") ? "waiting for the answer" : "reading the body"));
        // The answer (over 300 bytes at 5 a second) was nowhere near complete.
        CHECK(server.bytesSent() < answer.size());
    }
}

TEST_CASE("a server that accepts and never answers times out waiting; a cancel ends it early") {
    TrickleServer silent({TrickleServer::okAnswer("x"), 0, 1h, 0});
    const HttpFetchError timedOut = failureOf(get(silent.url() + "/"), 300ms);
    CHECK(failureName(timedOut.failure()) == "timed out");
    CHECK(phaseName(timedOut.phase()) == "waiting");

    std::atomic<bool> cancel{true};
    const HttpFetchError cancelled = failureOf(get(silent.url() + "/"), 1h, [&] { return cancel.load(); });
    CHECK(failureName(cancelled.failure()) == "cancelled");
    CHECK(std::string(cancelled.what()).rfind("cancelled while ", 0) == 0);
}

namespace {

/// An HTTPS server on 127.0.0.1 with a fresh self-signed certificate for 127.0.0.1, answering "hello".
struct TlsServer {
    watchdog::test::LocalHttpServer server{[](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
                                               response.setContentLength(5);
                                               response.send() << "hello";
                                           },
                                           watchdog::test::LocalHttpServer::SelfSignedTls{}};
    std::string cert = server.certificateFile();
    int port = server.port();

    std::string url() const { return server.url() + "/"; }
};

}  // namespace

TEST_CASE("TLS: the certificate is verified; ca_file trusts it; a trickled handshake ends at the deadline") {
    TlsServer server;

    const HttpFetchError untrusted = failureOf(get(server.url()), 5s);
    CHECK(failureName(untrusted.failure()) == "tls");
    CHECK(phaseName(untrusted.phase()) == "connecting");
    CHECK(std::string(untrusted.what()).find("certificate verify failed") != std::string::npos);

    HttpCall trusted = get(server.url());
    trusted.tls = newTlsClientContext(server.cert);
    const HttpAnswer a = HttpFetch::within(5s).fetch(trusted);
    CHECK(a.status == 200);
    CHECK(a.body == "hello");

    // The same server behind a relay that passes its bytes on one every 200 ms: the handshake
    // alone would take minutes.
    TrickleServer relay({"", 0, 200ms, server.port});
    HttpCall slow = trusted;
    slow.url = "https://127.0.0.1:" + std::to_string(relay.port()) + "/";
    const HttpFetchError e = failureOf(slow, 500ms);
    CHECK(failureName(e.failure()) == "timed out");
    CHECK(phaseName(e.phase()) == "connecting");
}

TEST_CASE("the TLS policy: a CA file that cannot be read is refused when the context is made") {
    CHECK_THROWS(newTlsClientContext("/nonexistent/ca.pem"));
    CHECK(sharedTlsClientContext().get() == sharedTlsClientContext().get());
}
