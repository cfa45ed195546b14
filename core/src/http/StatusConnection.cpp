#include "http/StatusConnection.h"

#include "http/StatusRequestHandler.h"
#include "http/TextEscaping.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>

#include <memory>
#include <sstream>

namespace watchdog {

namespace {

using Poco::Net::HTTPResponse;

std::string timeoutMessage(std::chrono::milliseconds requestTimeout) {
    std::ostringstream out;
    out << "the request did not arrive within " << static_cast<double>(requestTimeout.count()) / 1000.0 << " s";
    return out.str();
}

/// Closing a socket that still holds unread bytes makes the kernel send a reset, which can destroy
/// an answer the client has not read yet; so stop sending, then read and drop what is left (briefly).
void closeGently(Poco::Net::StreamSocket& socket) {
    try {
        socket.shutdownSend();
        socket.setReceiveTimeout(Poco::Timespan(0, 200000));
        char buffer[4096];
        for (int i = 0; i < 16 && socket.receiveBytes(buffer, sizeof buffer) > 0; ++i) {
        }
    } catch (const Poco::Exception&) {
    }
}

/// An answer to a request that could not be read (no handler ran): status, a JSON error, close.
void sendUnreadable(Poco::Net::HTTPServerSession& session, HTTPResponse::HTTPStatus status, const std::string& message) {
    try {
        Poco::Net::HTTPServerResponseImpl response(session);
        response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
        setStatus(response, status);
        response.setKeepAlive(false);
        response.set("Server", "encoder-watchdog");
        Poco::JSON::Object o;
        o.set("error", message);
        std::ostringstream body;
        o.stringify(body);
        response.setContentType("application/json");
        response.setContentLength(static_cast<std::streamsize>(body.str().size()));
        response.send() << body.str() << std::flush;
    } catch (const Poco::Exception&) {
        // The client is gone; nothing to tell it.
    }
    session.setKeepAlive(false);
}

/// Why a request could not be read, told to the client where there is someone to tell: 408 when
/// the deadline cut the read short (Poco cannot tell that from a client that closed) or a read timed
/// out, 400 when the headers are malformed or too large. A client that closed without sending a
/// request, or a connection error, gets nothing.
void answerUnreadable(Poco::Net::HTTPServerSession& session, const Poco::Exception& e, bool expired,
                      std::chrono::milliseconds requestTimeout) {
    if (expired || dynamic_cast<const Poco::TimeoutException*>(&e) != nullptr)
        sendUnreadable(session, HTTPResponse::HTTP_REQUEST_TIMEOUT, timeoutMessage(requestTimeout));
    else if (dynamic_cast<const Poco::Net::MessageException*>(&e) != nullptr)
        sendUnreadable(session, HTTPResponse::HTTP_BAD_REQUEST, "malformed request");
}

}  // namespace

StatusConnection::StatusConnection(const Poco::Net::StreamSocket& socket, StatusServerContext& context)
    : TCPServerConnection(socket), context_(context) {}

void StatusConnection::run() {
    const HttpSettings& settings = context_.settings;
    std::unique_ptr<SocketDeadlines::Watch> deadline;
    try {
        deadline = context_.deadlines.watch(socket());
        Poco::Net::HTTPServerSession session(socket(), context_.params);
        // The first request's time starts now (the client connected); a later one's when its first
        // byte arrives, after an idle wait that the session bounds by the keep-alive timeout.
        deadline->arm(SocketDeadlines::Phase::Reading, settings.requestTimeout);
        bool first = true;
        while (!deadline->stopping()) {
            if (!first) deadline->disarm();
            if (!session.hasMoreRequests()) break;
            if (!first) deadline->arm(SocketDeadlines::Phase::Reading, settings.requestTimeout);
            first = false;

            Poco::Net::HTTPServerResponseImpl response(session);
            std::unique_ptr<Poco::Net::HTTPServerRequestImpl> request;
            try {
                request = std::make_unique<Poco::Net::HTTPServerRequestImpl>(response, session, context_.params);
            } catch (const Poco::Exception& e) {
                answerUnreadable(session, e, deadline->expired(), settings.requestTimeout);
                break;
            }
            // Poco takes the end of input inside the headers for their end: a request the deadline
            // cut short would otherwise be served.
            if (deadline->expired()) {
                sendUnreadable(session, HTTPResponse::HTTP_REQUEST_TIMEOUT, timeoutMessage(settings.requestTimeout));
                break;
            }
            response.setDate(Poco::Timestamp());
            response.setVersion(request->getVersion());
            response.setKeepAlive(context_.params->getKeepAlive() && request->getKeepAlive() && session.canKeepAlive());
            response.set("Server", "encoder-watchdog");
            if (request->getExpectContinue()) response.sendContinue();

            StatusRequestHandler handler(context_.engine, context_.settings.token, context_.refusals, *deadline, settings.answerTimeout);
            handler.handleRequest(*request, response);
            session.setKeepAlive(context_.params->getKeepAlive() && response.getKeepAlive() && session.canKeepAlive());
            if (deadline->expired() || !session.getKeepAlive()) break;
        }
        deadline->disarm();
        if (!deadline->stopping()) closeGently(socket());
    } catch (const Poco::Exception& e) {
        Poco::Logger::get("watchdog.http").debug("connection: " + escapeForLog(e.displayText()));
    } catch (const std::exception& e) {
        Poco::Logger::get("watchdog.http").debug(std::string("connection: ") + escapeForLog(e.what()));
    }
}

StatusConnectionFactory::StatusConnectionFactory(StatusServerContext& context) : context_(context) {}

Poco::Net::TCPServerConnection* StatusConnectionFactory::createConnection(const Poco::Net::StreamSocket& socket) {
    return new StatusConnection(socket, context_);
}

}  // namespace watchdog
