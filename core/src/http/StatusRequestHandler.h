#pragma once

#include "engine/EngineStatus.h"
#include "http/LogThrottle.h"
#include "http/SocketDeadlines.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>

namespace watchdog {

/// Largest request body the status server reads (POST /notify needs none); more gets 413.
constexpr std::size_t maxRequestBodyBytes = 4096;
/// Longest request target the status server accepts; more gets 414.
constexpr std::size_t maxRequestTargetBytes = 2048;

/// Sets the status and its reason phrase; 408 is "Request Timeout" (RFC 9110 section 15.5.9), not
/// Poco 1.11's "Request Time-out" from RFC 2616.
void setStatus(Poco::Net::HTTPResponse& response, Poco::Net::HTTPResponse::HTTPStatus status);

/// Answers one request: GET / (page), /healthz, /status, /metrics, /history, /timeline; POST /notify,
/// /maintenance, /ack.
/// With a token, everything but / and /healthz needs "Authorization: Bearer TOKEN".
class StatusRequestHandler {
public:
    /// `token` "" means no authentication; refused tokens are logged through `refusals`; `deadline`
    /// is the connection's, re-armed with `answerTimeout` once the request has been read. All must
    /// outlive the handler.
    StatusRequestHandler(EngineStatus& engine, const std::string& token, LogThrottle& refusals, SocketDeadlines::Watch& deadline,
                         std::chrono::milliseconds answerTimeout);
    /// Reads the body, routes, authenticates and answers; throws only when the answer cannot be
    /// written (the client is gone).
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

private:
    EngineStatus& engine_;
    const std::string& token_;
    LogThrottle& refusals_;
    SocketDeadlines::Watch& deadline_;
    std::chrono::milliseconds answerTimeout_;
};

}  // namespace watchdog
