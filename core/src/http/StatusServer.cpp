#include "http/StatusServer.h"

#include "http/StatusConnection.h"
#include "http/TextEscaping.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace watchdog {

namespace {

// Connections accepted while every worker is busy wait here; beyond it they are closed at once.
constexpr int maxQueued = 64;
// Refused-token lines logged per minute; the rest are counted in the next line logged.
constexpr std::size_t refusalsLoggedPerMinute = 5;

/// "Address already in use: 127.0.0.1:9480" -> "address already in use" (the caller names the address).
std::string reason(const Poco::Exception& e) {
    std::string s = e.message().empty() ? e.displayText() : e.message();
    if (auto colon = s.find(": "); colon != std::string::npos) s.resize(colon);
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

Poco::Net::HTTPServerParams::Ptr serverParams(const HttpSettings& s) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(std::max(1, s.workers));
    params->setMaxQueued(maxQueued);
    // The socket's receive timeout; the request deadline (SocketDeadlines) is the real bound and
    // must pass first, so that a client that sends nothing gets 408 rather than a silent close.
    params->setTimeout(Poco::Timespan((s.requestTimeout + std::chrono::seconds(1)).count() * 1000));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(s.idleTimeout.count() * 1000));
    params->setMaxKeepAliveRequests(10000);
    params->setServerName("encoder-watchdog");
    params->setSoftwareVersion("encoder-watchdog");
    return params;
}

bool isLoopback(const std::string& host) {
    Poco::Net::IPAddress address;
    if (Poco::Net::IPAddress::tryParse(host, address)) return address.isLoopback();
    return host == "localhost";
}

}  // namespace

struct StatusServer::State {
    HttpSettings settings;
    EngineStatus& engine;
    std::unique_ptr<StatusServerContext> context;
    std::unique_ptr<Poco::ThreadPool> pool;
    std::unique_ptr<Poco::Net::TCPServer> server;
    int port = 0;

    State(const HttpSettings& s, EngineStatus& e) : settings(s), engine(e) {}
};

StatusServer::StatusServer(const HttpSettings& settings, EngineStatus& engine) : state_(std::make_unique<State>(settings, engine)) {}

StatusServer::~StatusServer() {
    try {
        stop();
    } catch (...) {
    }
}

void StatusServer::start() {
    if (state_->server) return;
    const HttpSettings& settings = state_->settings;
    std::string host = settings.host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string where = settings.host + ":" + std::to_string(settings.port);
    if (settings.port < 0 || settings.port > 65535) throw std::runtime_error("http: " + where + " is not a port (0-65535)");
    Poco::Net::ServerSocket socket;
    try {
        const Poco::Net::SocketAddress address(host, static_cast<Poco::UInt16>(settings.port));
        // No SO_REUSEPORT: a second daemon on the same port must fail here, not share the port.
        socket.bind(address, true, false);
        socket.listen(maxQueued);
    } catch (const Poco::Net::HostNotFoundException&) {
        throw std::runtime_error("http: cannot listen on " + where + ": unknown host '" + host + "'");
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("http: cannot listen on " + where + ": " + reason(e));
    }

    const Poco::Net::HTTPServerParams::Ptr params = serverParams(settings);
    state_->context.reset(new StatusServerContext{
        state_->engine, settings, params, {}, {refusalsLoggedPerMinute, std::chrono::minutes(1), "refused request"}});
    state_->pool = std::make_unique<Poco::ThreadPool>("http", 1, params->getMaxThreads(), 60);
    state_->server = std::make_unique<Poco::Net::TCPServer>(new StatusConnectionFactory(*state_->context), *state_->pool, socket, params);
    state_->server->start();
    state_->port = socket.address().port();
    Poco::Logger& log = Poco::Logger::get("watchdog.http");
    log.information(escapeForLog("status server listening on http://" + settings.host + ":" + std::to_string(state_->port) + "/" +
                                 (settings.token.empty() ? "" : " (bearer token required)")));
    if (settings.token.empty() && !isLoopback(host))
        log.warning(escapeForLog("status server on " + where +
                                 " has no token: anyone who can reach it can read /status and /history "
                                 "and POST /notify (allow_unauthenticated: true)"));
}

void StatusServer::stop() {
    if (!state_->server) return;
    // Stop accepting, wake every worker blocked on a client, then wait for them.
    state_->server->stop();
    state_->context->deadlines.stop();
    state_->pool->joinAll();
    state_->server.reset();
    if (auto leftOut = state_->context->refusals.leftOut()) Poco::Logger::get("watchdog.http").notice(*leftOut);
    state_->pool.reset();
    state_->context.reset();
    state_->port = 0;
}

int StatusServer::port() const { return state_->port; }

}  // namespace watchdog
