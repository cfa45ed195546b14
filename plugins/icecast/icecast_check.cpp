#include "icecast_check.h"

#include "watchdog/HumanFormat.h"
#include "watchdog/Plugin.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <unistd.h>

namespace watchdog {

namespace {

using SteadyClock = std::chrono::steady_clock;

std::string joinMounts(const std::vector<const IcecastMount*>& mounts) {
    std::string out;
    for (const auto* m : mounts) out += (out.empty() ? "" : ", ") + m->mount;
    return out;
}

void addMountDetails(Result& r, const IcecastMount& m) {
    if (!m.connected) {
        r.detail(m.mount, "listed without a source (fallback stub)");
        return;
    }
    if (!m.listeners.empty()) r.detail(m.mount + " listeners", m.listeners);
    if (!m.bitrate.empty()) r.detail(m.mount + " bitrate", m.bitrate);
    if (!m.audioInfo.empty()) r.detail(m.mount + " audio_info", m.audioInfo);
    if (!m.serverType.empty()) r.detail(m.mount + " type", m.serverType);
    if (!m.streamStart.empty()) r.detail(m.mount + " stream_start", m.streamStart);
    if (!m.sourceIp.empty()) r.detail(m.mount + " source_ip", m.sourceIp);
}

void initializeSslOnce() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

}  // namespace

std::string IcecastSettings::endpoint() const { return host + ":" + std::to_string(port); }

void IcecastCheck::configure(const Options& options) {
    IcecastSettings s;
    std::string url = options.string("url");
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        options.fail("url", "'" + url + "' is not a URL (" + e.message() + ")");
    }
    s.scheme = uri.getScheme();
    if (s.scheme != "http" && s.scheme != "https")
        options.fail("url", "must start with http:// or https:// (e.g. http://127.0.0.1:8000)");
    if (uri.getHost().empty()) options.fail("url", "has no host (e.g. http://127.0.0.1:8000)");
    if (!uri.getUserInfo().empty()) options.fail("url", "must not carry credentials: use user and password");
    if (!uri.getRawQuery().empty() || !uri.getFragment().empty())
        options.fail("url", "must not have a query or fragment: give the server's base URL");
    s.host = uri.getHost();
    s.port = uri.getPort();
    std::string path = uri.getPath();
    while (!path.empty() && path.back() == '/') path.pop_back();
    s.statsPath = path + "/admin/stats";

    s.user = options.string("user", "admin");
    s.password = options.secret("password");
    s.mount = options.string("mount", "");
    if (!s.mount.empty() && s.mount.front() != '/') options.fail("mount", "must start with '/' (e.g. /live)");
    if (!s.mount.empty() && options.has("min_sources"))
        options.fail("min_sources", "does not apply with mount (a mount has one source); remove one of them");
    s.minSources = static_cast<int>(options.integer("min_sources", 1, 1, 100000));
    s.caFile = options.path("ca_file", "");
    if (!s.caFile.empty()) {
        if (s.scheme != "https") options.fail("ca_file", "only applies to an https:// url");
        if (::access(s.caFile.c_str(), R_OK) != 0) options.fail("ca_file", "cannot read '" + s.caFile + "'");
    }
    s.maxBody = options.size("max_body", 8ULL << 20);
    if (s.maxBody < 1024) options.fail("max_body", "must be at least 1K");

    if (s.scheme == "https") {
        initializeSslOnce();
        try {
            tls_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, s.caFile, Poco::Net::Context::VERIFY_RELAXED,
                                          9, /*loadDefaultCAs*/ s.caFile.empty());
            tls_->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        } catch (const Poco::Exception& e) {
            options.fail(s.caFile.empty() ? "url" : "ca_file", "cannot set up TLS: " + e.displayText());
        }
    }
    settings_ = std::move(s);
}

Result IcecastCheck::judge(const IcecastStats& stats, const IcecastSettings& settings) {
    auto connected = stats.connected();
    Result r;
    if (!settings.mount.empty()) {
        const IcecastMount* m = stats.find(settings.mount);
        if (m && m->connected) {
            const bool counted = !m->listeners.empty() && m->listeners.size() < 10 &&
                                 m->listeners.find_first_not_of("0123456789") == std::string::npos;
            std::string listeners = counted ? " (" + human::count(std::stoll(m->listeners), "listener") + ")" : "";
            r = Result::pass("source connected to " + settings.mount + listeners);
            r.withValue(1, "sources");
        } else {
            std::string why = m ? "listed as a fallback stub, " : "";
            why += connected.empty() ? "0 sources connected" : "connected: " + joinMounts(connected);
            r = Result::fail("no source on " + settings.mount + " (" + why + ")");
            r.withValue(0, "sources");
        }
        if (m) addMountDetails(r, *m);
    } else {
        std::string counted = human::count(static_cast<long long>(connected.size()), "source") + " connected";
        if (!connected.empty()) counted += " (" + joinMounts(connected) + ")";
        if (static_cast<int>(connected.size()) >= settings.minSources)
            r = Result::pass(counted);
        else
            r = Result::fail(counted + (connected.empty() ? " (need " : ", need ") + std::to_string(settings.minSources) +
                             (connected.empty() ? ")" : ""));
        r.withValue(static_cast<double>(connected.size()), "sources");
        for (const auto& m : stats.mounts) addMountDetails(r, m);
    }
    if (!stats.serverId.empty()) r.detail("server", stats.serverId);
    return r;
}

Result IcecastCheck::run(const CheckContext& context) {
    const IcecastSettings& s = settings_;
    const auto timeout = std::max(context.timeout, std::chrono::milliseconds(1));
    const auto deadline = SteadyClock::now() + timeout;
    const std::string within = " within " + human::duration(timeout);
    auto remaining = [&] {
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - SteadyClock::now());
        return Poco::Timespan(std::max<long long>(left.count(), 1000));
    };
    std::string body;
    Poco::Net::HTTPResponse response;
    try {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (s.scheme == "https")
            session = std::make_unique<Poco::Net::HTTPSClientSession>(s.host, s.port, tls_);
        else
            session = std::make_unique<Poco::Net::HTTPClientSession>(s.host, s.port);
        session->setTimeout(remaining(), remaining(), remaining());
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, s.statsPath, Poco::Net::HTTPMessage::HTTP_1_1);
        Poco::Net::HTTPBasicCredentials(s.user, s.password).authenticate(request);
        request.set("User-Agent", "encoder-watchdog");
        session->sendRequest(request);
        session->socket().setReceiveTimeout(remaining());
        std::istream& in = session->receiveResponse(response);
        if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED)
            return Result::error("Icecast at " + s.endpoint() + " refused the admin credentials (HTTP 401)");
        if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
            return Result::error("Icecast at " + s.endpoint() + " answered HTTP " + std::to_string(response.getStatus()) +
                                 " " + response.getReason() + " for " + s.statsPath);
        char buffer[16384];
        while (in) {
            if (context.isCancelled()) return Result::error("cancelled while reading Icecast's answer");
            if (SteadyClock::now() >= deadline) throw Poco::TimeoutException();
            session->socket().setReceiveTimeout(remaining());
            in.read(buffer, sizeof buffer);
            body.append(buffer, static_cast<std::size_t>(in.gcount()));
            if (body.size() > s.maxBody)
                return Result::error("Icecast's answer is larger than " + std::to_string(s.maxBody >> 10) + "K (max_body)");
        }
        if (response.hasContentLength() && static_cast<long long>(body.size()) < response.getContentLength64())
            return Result::error("Icecast at " + s.endpoint() + " closed the connection after " +
                                 std::to_string(body.size()) + " of " + std::to_string(response.getContentLength64()) + " bytes");
    } catch (const Poco::TimeoutException&) {
        return Result::error("no answer from Icecast at " + s.endpoint() + within);
    } catch (const Poco::Net::ConnectionRefusedException&) {
        return Result::error("cannot connect to Icecast at " + s.endpoint() + ": connection refused");
    } catch (const Poco::Net::HostNotFoundException&) {
        return Result::error("cannot resolve Icecast host " + s.host);
    } catch (const Poco::Net::NoAddressFoundException&) {
        return Result::error("cannot resolve Icecast host " + s.host);
    } catch (const Poco::Net::SSLException& e) {
        return Result::error("TLS with Icecast at " + s.endpoint() + " failed: " + e.message());
    } catch (const Poco::Exception& e) {
        return Result::error("request to Icecast at " + s.endpoint() + " failed: " + e.displayText());
    } catch (const std::exception& e) {
        return Result::error(std::string("request to Icecast at ") + s.endpoint() + " failed: " + e.what());
    }
    try {
        return judge(parseIcecastStats(body), s);
    } catch (const IcecastStatsError& e) {
        Poco::Logger::get("watchdog.check.icecast").debug("unusable /admin/stats body (%z bytes)", body.size());
        return Result::error("Icecast at " + s.endpoint() + " sent " + e.what());
    }
}

}  // namespace watchdog

WATCHDOG_CHECK_PLUGIN(watchdog::IcecastCheck)
