#pragma once

#include "config/Pipeline.h"
#include "engine/EngineStatus.h"
#include "http/LogThrottle.h"
#include "http/SocketDeadlines.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

namespace watchdog {

/// What every connection of one status server shares; outlives them all.
struct StatusServerContext {
    EngineStatus& engine;
    HttpSettings settings;
    Poco::Net::HTTPServerParams::Ptr params;  ///< header limits, keep-alive, idle timeout
    SocketDeadlines deadlines;                ///< bounds reading a request and writing an answer
    LogThrottle refusals;                     ///< "401 for ..." lines: a few a minute, the rest counted
};

/// One client connection of the status server: reads requests one after another (keep-alive) and
/// answers each through StatusRequestHandler. The request's headers and body must arrive within
/// settings.requestTimeout (else 408 and close), the answer must be taken within
/// settings.answerTimeout (else the connection is dropped), and a kept-alive connection may sit idle
/// for settings.idleTimeout; so a slow client holds a worker for a bounded time only.
class StatusConnection : public Poco::Net::TCPServerConnection {
public:
    /// `context` must outlive the connection.
    StatusConnection(const Poco::Net::StreamSocket& socket, StatusServerContext& context);
    /// Serves requests until the client leaves, a deadline passes or the server stops; never throws.
    void run() override;

private:
    StatusServerContext& context_;
};

/// Makes a StatusConnection for each accepted socket.
class StatusConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    /// `context` must outlive the server.
    explicit StatusConnectionFactory(StatusServerContext& context);
    /// A new connection (the server deletes it).
    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

private:
    StatusServerContext& context_;
};

}  // namespace watchdog
