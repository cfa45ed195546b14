#include "http/StatusServer.h"

#include "http/StatusRequestHandler.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <cctype>
#include <stdexcept>

namespace watchdog {

namespace {

// Enough for a browser, a Prometheus scraper and a curl at once; more connections wait in the queue.
constexpr int maxThreads = 4;
constexpr int maxQueued = 64;

/// "Address already in use: 127.0.0.1:9480" -> "address already in use" (the caller names the address).
std::string reason(const Poco::Exception& e) {
    std::string s = e.message().empty() ? e.displayText() : e.message();
    if (auto colon = s.find(": "); colon != std::string::npos) s.resize(colon);
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

}  // namespace

struct StatusServer::State {
    HttpSettings settings;
    EngineStatus& engine;
    Poco::ThreadPool pool{"http", 1, maxThreads, 60};
    std::unique_ptr<Poco::Net::HTTPServer> server;
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
    std::string host = state_->settings.host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string where = state_->settings.host + ":" + std::to_string(state_->settings.port);
    if (state_->settings.port < 0 || state_->settings.port > 65535) throw std::runtime_error("http: " + where + " is not a port (0-65535)");
    Poco::Net::ServerSocket socket;
    try {
        const Poco::Net::SocketAddress address(host, static_cast<Poco::UInt16>(state_->settings.port));
        // No SO_REUSEPORT: a second daemon on the same port must fail here, not share the port.
        socket.bind(address, true, false);
        socket.listen(maxQueued);
    } catch (const Poco::Net::HostNotFoundException&) {
        throw std::runtime_error("http: cannot listen on " + where + ": unknown host '" + host + "'");
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("http: cannot listen on " + where + ": " + reason(e));
    }

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(maxThreads);
    params->setMaxQueued(maxQueued);
    params->setTimeout(Poco::Timespan(10, 0));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setMaxKeepAliveRequests(10000);
    params->setServerName("encoder-watchdog");
    params->setSoftwareVersion("encoder-watchdog");
    state_->server = std::make_unique<Poco::Net::HTTPServer>(
        new StatusRequestHandlerFactory(state_->engine, state_->settings.token), state_->pool, socket, params);
    state_->server->start();
    state_->port = socket.address().port();
    Poco::Logger::get("watchdog.http")
        .information("status server listening on http://" + state_->settings.host + ":" + std::to_string(state_->port) + "/" +
                     (state_->settings.token.empty() ? "" : " (bearer token required)"));
}

void StatusServer::stop() {
    if (!state_->server) return;
    state_->server->stopAll(true);
    state_->pool.joinAll();
    state_->server.reset();
    state_->port = 0;
}

int StatusServer::port() const { return state_->port; }

}  // namespace watchdog
