#pragma once

#include "engine/EngineStatus.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <string>

namespace watchdog {

/// Largest request body the status server reads (POST /notify needs none); more gets 413.
constexpr std::size_t maxRequestBodyBytes = 4096;
/// Longest request target the status server accepts; more gets 414.
constexpr std::size_t maxRequestTargetBytes = 2048;

/// Answers one request: GET / (page), /healthz, /status, /metrics, /history; POST /notify.
/// With a token, everything but / and /healthz needs "Authorization: Bearer TOKEN".
class StatusRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    /// `token` "" means no authentication.
    StatusRequestHandler(EngineStatus& engine, const std::string& token);
    /// Routes, authenticates and answers; never throws.
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    EngineStatus& engine_;
    const std::string& token_;
};

/// Makes a StatusRequestHandler per request.
class StatusRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    /// Both must outlive the server.
    StatusRequestHandlerFactory(EngineStatus& engine, std::string token);
    /// A new handler (Poco deletes it).
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
    EngineStatus& engine_;
    std::string token_;
};

}  // namespace watchdog
