#include "http/StatusRequestHandler.h"

#include "http/BearerToken.h"
#include "http/HistoryJson.h"
#include "http/OperatorJson.h"
#include "http/PrometheusText.h"
#include "http/StatusJson.h"
#include "http/StatusPage.h"
#include "http/TextEscaping.h"
#include "http/IncidentTimeline.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <algorithm>
#include <functional>
#include <sstream>

namespace watchdog {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

enum class Access { Public, Token };

Poco::Logger& log() { return Poco::Logger::get("watchdog.http"); }

void send(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& contentType, const std::string& body) {
    setStatus(response, status);
    response.setContentType(contentType);
    response.set("Cache-Control", "no-store");
    response.set("X-Content-Type-Options", "nosniff");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
}

void sendError(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& message) {
    Poco::JSON::Object o;
    o.set("error", message);
    std::ostringstream body;
    o.stringify(body);
    send(response, status, "application/json", escapeJsonText(body.str()));
}

enum class Body { Read, TooLarge, Incomplete };

/// Reads the body into `text` (POST /maintenance and /ack use it). One longer than maxRequestBodyBytes is still read and dropped
/// up to drainLimit, because closing a socket with unread data makes the kernel send a reset that
/// can destroy the 413 before the client reads it. Incomplete: fewer bytes than Content-Length came
/// before the client closed or the request deadline shut the socket.
Body readBoundedBody(HTTPServerRequest& request, std::string& text) {
    constexpr std::size_t drainLimit = 64 * 1024;
    if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(drainLimit)) return Body::TooLarge;
    if (!request.hasContentLength() && !request.getChunkedTransferEncoding()) return Body::Read;
    std::istream& in = request.stream();
    char buffer[4096];
    std::size_t total = 0;
    while (total <= drainLimit && (in.read(buffer, sizeof buffer) || in.gcount() > 0)) {
        const auto got = static_cast<std::size_t>(in.gcount());
        if (total < maxRequestBodyBytes) text.append(buffer, std::min(got, maxRequestBodyBytes - total));
        total += got;
    }
    if (total > maxRequestBodyBytes) return Body::TooLarge;
    if (request.hasContentLength() && static_cast<Poco::Int64>(total) < request.getContentLength64()) return Body::Incomplete;
    return Body::Read;
}

void sendPage(HTTPServerResponse& response) {
    // No external assets by design (stations' networks are closed); the policy keeps it that way.
    response.set("Content-Security-Policy",
                 "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                 "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    send(response, HTTPResponse::HTTP_OK, "text/html; charset=utf-8", statusPageHtml());
}

/// 202 when the report goes; 429 with Retry-After (RFC 6585) when one went less than
/// status_min_interval ago: the engine logged that once, so the refusal is not logged here.
void notify(HTTPServerRequest& request, HTTPServerResponse& response, const StatusReportDecision& decision) {
    if (decision.accepted) {
        log().information("status report requested over HTTP by " + request.clientAddress().host().toString());
        return send(response, HTTPResponse::HTTP_ACCEPTED, "application/json", "{\"requested\":\"status report\"}");
    }
    const TimePoint next = decision.next.value_or(std::chrono::system_clock::now());
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::system_clock::now());
    const long long seconds = std::max<long long>(1, (wait.count() + 999) / 1000);
    Poco::JSON::Object o;
    o.set("error", "a status report was sent less than status_min_interval ago; this one is not sent");
    o.set("next_report_at", toIso8601(next));
    o.set("retry_after_s", seconds);
    std::ostringstream body;
    o.stringify(body);
    response.set("Retry-After", std::to_string(seconds));
    send(response, HTTPResponse::HTTP_TOO_MANY_REQUESTS, "application/json", body.str());
}

/// What a route's handler gets: the exchange, the engine, the parsed target and the body read.
struct Exchange {
    HTTPServerRequest& request;
    HTTPServerResponse& response;
    EngineStatus& engine;
    const Poco::URI& uri;
    const std::string& body;
};

void answerPage(const Exchange& x) { sendPage(x.response); }

void answerHealth(const Exchange& x) { send(x.response, HTTPResponse::HTTP_OK, "text/plain; charset=utf-8", "ok\n"); }

void answerStatus(const Exchange& x) { send(x.response, HTTPResponse::HTTP_OK, "application/json", renderStatusJson(x.engine.snapshot())); }

void answerMetrics(const Exchange& x) {
    send(x.response, HTTPResponse::HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
         renderPrometheusText(x.engine.snapshot(), readProcessFacts()));
}

void answerTimeline(const Exchange& x) {
    try {
        send(x.response, HTTPResponse::HTTP_OK, "application/json", timelineJson(x.engine));
    } catch (const std::runtime_error& e) {
        sendError(x.response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, std::string("timeline: ") + e.what());
    }
}

void answerHistory(const Exchange& x) {
    HistoryQuery query;
    try {
        query = parseHistoryQuery(x.uri.getRawQuery(), std::chrono::system_clock::now());
    } catch (const BadHistoryQuery& e) {
        return sendError(x.response, HTTPResponse::HTTP_BAD_REQUEST, e.what());
    }
    std::vector<Record> records;
    try {
        records = x.engine.history(query);
    } catch (const std::runtime_error& e) {
        return sendError(x.response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, std::string("history: ") + e.what());
    }
    send(x.response, HTTPResponse::HTTP_OK, "application/json", renderHistoryJson(records));
}

void answerNotify(const Exchange& x) { notify(x.request, x.response, x.engine.requestStatusReport()); }

/// An operator's request (POST /maintenance, /ack): 200 with the reply `apply` renders at `now`, 400
/// for bad input, 409 when there is nothing to acknowledge or end.
void answerOperatorRequest(const Exchange& x, const std::function<std::string(TimePoint now)>& apply) {
    std::string reply;
    try {
        reply = apply(std::chrono::system_clock::now());
    } catch (const OperatorRequestRefused& e) {
        return sendError(x.response,
                         e.why() == OperatorRequestRefused::Why::NothingOpen ? HTTPResponse::HTTP_CONFLICT : HTTPResponse::HTTP_BAD_REQUEST,
                         e.what());
    }
    send(x.response, HTTPResponse::HTTP_OK, "application/json", reply);
}

std::string clientOf(const Exchange& x) { return x.request.clientAddress().host().toString(); }

void answerMaintenance(const Exchange& x) {
    answerOperatorRequest(x, [&](TimePoint now) {
        const MaintenanceRequest r = parseMaintenanceBody(x.body, now);
        std::string reply = renderMaintenanceReply(x.engine.maintain(r));
        log().information(
            escapeForLog("maintenance " + std::string(r.end ? "ended" : "started") + " over HTTP by " + r.by + " from " + clientOf(x)));
        return reply;
    });
}

void answerAck(const Exchange& x) {
    answerOperatorRequest(x, [&](TimePoint now) {
        const AckRequest r = parseAckBody(x.body, now);
        std::string reply = renderAckReply(x.engine.acknowledge(r));
        log().information(escapeForLog("incident acknowledged over HTTP by " + r.by + " from " + clientOf(x)));
        return reply;
    });
}

struct Route {
    const char* path;
    const char* method;  ///< GET routes also answer HEAD
    Access access;
    void (*answer)(const Exchange&);
};

const Route routes[] = {
    {"/", "GET", Access::Public, answerPage},
    {"/healthz", "GET", Access::Public, answerHealth},
    {"/status", "GET", Access::Token, answerStatus},
    {"/metrics", "GET", Access::Token, answerMetrics},
    {"/timeline", "GET", Access::Token, answerTimeline},
    {"/history", "GET", Access::Token, answerHistory},
    {"/notify", "POST", Access::Token, answerNotify},
    {"/maintenance", "POST", Access::Token, answerMaintenance},
    {"/ack", "POST", Access::Token, answerAck},
};

const Route* findRoute(const std::string& path) {
    for (const auto& r : routes)
        if (path == r.path) return &r;
    return nullptr;
}

bool methodAllowed(const Route& route, const std::string& method) {
    return method == route.method || (std::string(route.method) == "GET" && method == "HEAD");
}

}  // namespace

void setStatus(Poco::Net::HTTPResponse& response, Poco::Net::HTTPResponse::HTTPStatus status) {
    if (status == HTTPResponse::HTTP_REQUEST_TIMEOUT)
        response.setStatusAndReason(status, "Request Timeout");
    else
        response.setStatusAndReason(status);
}

StatusRequestHandler::StatusRequestHandler(EngineStatus& engine, const std::string& token, LogThrottle& refusals,
                                           SocketDeadlines::Watch& deadline, std::chrono::milliseconds answerTimeout)
    : engine_(engine), token_(token), refusals_(refusals), deadline_(deadline), answerTimeout_(answerTimeout) {}

void StatusRequestHandler::handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) {
    const std::string& method = request.getMethod();
    const std::string& target = request.getURI();
    std::string path;
    try {
        if (target.size() > maxRequestTargetBytes) {
            response.setKeepAlive(false);
            return sendError(response, HTTPResponse::HTTP_REQUEST_URI_TOO_LONG,
                             "request target longer than " + std::to_string(maxRequestTargetBytes) + " bytes");
        }
        Poco::URI uri;
        try {
            uri = Poco::URI(target);
        } catch (const Poco::SyntaxException&) {
            response.setKeepAlive(false);
            return sendError(response, HTTPResponse::HTTP_BAD_REQUEST, "malformed request target");
        }
        path = uri.getPath();
        std::string bodyText;
        const Body body = readBoundedBody(request, bodyText);
        if (body == Body::Incomplete) {
            response.setKeepAlive(false);
            return sendError(response, HTTPResponse::HTTP_REQUEST_TIMEOUT, "the request body did not arrive in full");
        }
        deadline_.arm(SocketDeadlines::Phase::Answering, answerTimeout_);
        if (body == Body::TooLarge) {
            response.setKeepAlive(false);
            return sendError(response, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
                             "request body larger than " + std::to_string(maxRequestBodyBytes) + " bytes");
        }
        const Route* route = findRoute(path);
        if (route == nullptr) return sendError(response, HTTPResponse::HTTP_NOT_FOUND, "no such path (try /, /status, /metrics, /healthz)");
        if (!methodAllowed(*route, method)) {
            response.set("Allow", std::string(route->method) == "GET" ? "GET, HEAD" : route->method);
            return sendError(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, escapeForLog(method) + " is not allowed on " + path);
        }
        if (route->access == Access::Token && !token_.empty()) {
            const std::string authorization = request.get("Authorization", "");
            if (!bearerTokenMatches(token_, authorization)) {
                // RFC 6750 section 3: name the scheme; say invalid_token only when one was sent.
                response.set("WWW-Authenticate", authorization.empty() ? "Bearer realm=\"encoder-watchdog\""
                                                                       : "Bearer realm=\"encoder-watchdog\", error=\"invalid_token\"");
                if (auto line = refusals_.admit("401 for " + method + " " + path + " from " + request.clientAddress().host().toString() +
                                                (authorization.empty() ? " (no token)" : " (wrong token)")))
                    log().notice(*line);
                return sendError(response, HTTPResponse::HTTP_UNAUTHORIZED, "a valid bearer token is needed");
            }
        }
        route->answer(Exchange{request, response, engine_, uri, bodyText});
    } catch (const Poco::Exception& e) {
        log().error(escapeForLog(method + " " + path + ": " + e.displayText()));
        if (!response.sent()) sendError(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal error (see the daemon's log)");
    } catch (const std::exception& e) {
        log().error(escapeForLog(method + " " + path + ": " + e.what()));
        if (!response.sent()) sendError(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal error (see the daemon's log)");
    } catch (...) {
        log().error(escapeForLog(method + " " + path + ": unknown exception"));
        if (!response.sent()) sendError(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal error (see the daemon's log)");
    }
}

}  // namespace watchdog
