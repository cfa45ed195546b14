#include "IcecastCheck.h"

#include "HttpFetch.h"
#include "TlsClientPolicy.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <unistd.h>

namespace watchdog::icecast {

namespace {

std::string joinMounts(const std::vector<const IcecastMount*>& mounts) {
    std::string out;
    for (const auto* m : mounts) out += (out.empty() ? "" : ", ") + m->mount;
    return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
    return out;
}

const MountFlow* flowOf(const std::map<std::string, MountFlow>& flows, const std::string& mount) {
    auto it = flows.find(mount);
    return it == flows.end() ? nullptr : &it->second;
}

void addMountDetails(Result& r, const IcecastMount& m, const MountFlow* flow) {
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
    if (!flow) return;
    if (flow->kbps)
        r.detail(m.mount + " read_kbps", human::number(*flow->kbps));
    else
        r.detail(m.mount + " read_kbps", flow->bytesReported ? "measuring" : "not reported");
    r.detail(m.mount + " reconnects", std::to_string(flow->reconnects));
    r.metric("reconnects", flow->reconnects, {{"mount", m.mount}});
    if (flow->kbps) r.metric("read_kbps", *flow->kbps, {{"mount", m.mount}});
    if (flow->reconnectedFrom)
        r.detail(m.mount + " reconnected", "since the previous run (stream_start was " +
                                               (flow->reconnectedFrom->empty() ? std::string("unknown") : *flow->reconnectedFrom) + ")");
}

// An address as Icecast prints it, comparable with the configured one: IPv4 mapped into IPv6
// ("::ffff:10.0.0.2", from a dual-stack listen socket) is the IPv4 address; names compare without case.
std::string normalAddress(const std::string& text) {
    Poco::Net::IPAddress ip;
    if (Poco::Net::IPAddress::tryParse(text, ip)) {
        if (ip.family() == Poco::Net::IPAddress::IPv6 && ip.isIPv4Mapped()) {
            const std::string mapped = ip.toString();
            const auto colon = mapped.rfind(':');
            return mapped.substr(colon + 1);
        }
        return ip.toString();
    }
    return Poco::toLower(text);
}

// Why a connected mount is not what the options expect, if it is not.
std::vector<std::string> flowProblems(const IcecastMount& m, const MountFlow* flow, const IcecastSettings& s) {
    std::vector<std::string> problems;
    if (!s.expectSourceIp.empty() && normalAddress(m.sourceIp) != s.expectSourceIp)
        problems.push_back(m.mount + " is fed from " + (m.sourceIp.empty() ? std::string("an address Icecast does not show") : m.sourceIp) +
                           ", not " + s.expectSourceIp + " (expect_source_ip)");
    if (s.minKbps && flow && flow->kbps && *flow->kbps < *s.minKbps)
        problems.push_back(m.mount + " receives " + human::number(*flow->kbps) + " kbit/s from its source (min_kbps " +
                           human::number(*s.minKbps) + ")");
    return problems;
}

std::string authorization(const std::string& user, const std::string& password) {
    Poco::Net::HTTPRequest request;
    Poco::Net::HTTPBasicCredentials(user, password).authenticate(request);
    return request.get(Poco::Net::HTTPRequest::AUTHORIZATION);
}

}  // namespace

std::string IcecastSettings::endpoint() const { return host + ":" + std::to_string(port); }

void IcecastCheck::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    IcecastSettings s;
    std::string url = options.string("url");
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        options.report("url", "'" + url + "' is not a URL (" + e.message() + ")");
    }
    s.scheme = uri.getScheme();
    if (s.scheme != "http" && s.scheme != "https")
        options.report("url", "must start with http:// or https:// (e.g. http://127.0.0.1:8000)");
    if (uri.getHost().empty()) options.report("url", "has no host (e.g. http://127.0.0.1:8000)");
    if (!uri.getUserInfo().empty()) options.report("url", "must not carry credentials: use user and password");
    if (!uri.getRawQuery().empty() || !uri.getFragment().empty())
        options.report("url", "must not have a query or fragment: give the server's base URL");
    s.host = uri.getHost();
    s.port = uri.getPort();
    std::string path = uri.getPath();
    while (!path.empty() && path.back() == '/') path.pop_back();
    s.statsPath = path + "/admin/stats";
    Poco::URI stats(uri);
    stats.setPath(s.statsPath);
    s.statsUrl = stats.toString();

    s.user = options.string("user", "admin");
    s.password = options.secret("password");
    s.mount = options.string("mount", "");
    if (!s.mount.empty() && s.mount.front() != '/') options.report("mount", "must start with '/' (e.g. /live)");
    if (!s.mount.empty() && options.has("min_sources"))
        options.report("min_sources", "does not apply with mount (a mount has one source); remove one of them");
    s.minSources = static_cast<int>(options.integer("min_sources", 1, 1, 100000));
    s.caFile = options.path("ca_file", "");
    if (!s.caFile.empty()) {
        if (s.scheme != "https") options.report("ca_file", "only applies to an https:// url");
        if (::access(s.caFile.c_str(), R_OK) != 0) options.report("ca_file", "cannot read '" + s.caFile + "'");
    }
    s.maxBody = options.size("max_body", 8ULL << 20);
    if (s.maxBody < 1024) options.report("max_body", "must be at least 1K");
    if (options.has("min_kbps")) {
        s.minKbps = options.number("min_kbps", 0, 1000000);
        if (*s.minKbps <= 0) options.report("min_kbps", "must be more than 0 (e.g. 64)");
    }
    if (options.has("expect_source_ip")) {
        const std::string expected = options.string("expect_source_ip");
        if (expected.empty() || expected.find_first_of(" \t\r\n") != std::string::npos)
            options.report("expect_source_ip", "must be one address, e.g. 10.0.0.2 (or a relay's host name)");
        s.expectSourceIp = normalAddress(expected);
    }

    if (s.scheme == "https") {
        try {
            tls_ = common::newTlsClientContext(s.caFile);
        } catch (const Poco::Exception& e) {
            options.report(s.caFile.empty() ? "url" : "ca_file", "cannot set up TLS: " + e.displayText());
        }
    }
    s.authorization = authorization(s.user, s.password);
    settings_ = std::move(s);
}

Result IcecastCheck::judge(const IcecastStats& stats, const IcecastSettings& settings, const std::map<std::string, MountFlow>& flows) {
    auto connected = stats.connected();
    Result r;
    if (!settings.mount.empty()) {
        const IcecastMount* m = stats.find(settings.mount);
        if (m && m->connected) {
            const MountFlow* flow = flowOf(flows, m->mount);
            const auto problems = flowProblems(*m, flow, settings);
            if (!problems.empty()) {
                r = Result::fail(join(problems, "; "));
            } else {
                std::vector<std::string> about;
                const bool counted =
                    !m->listeners.empty() && m->listeners.size() < 10 && m->listeners.find_first_not_of("0123456789") == std::string::npos;
                if (counted) about.push_back(human::count(std::stoll(m->listeners), "listener"));
                if (flow && flow->kbps) about.push_back(human::number(*flow->kbps) + " kbit/s");
                r = Result::pass("source connected to " + settings.mount + (about.empty() ? "" : " (" + join(about, ", ") + ")"));
            }
            r.withValue(1, "sources");
        } else {
            std::string why = m ? "listed as a fallback stub, " : "";
            why += connected.empty() ? "0 sources connected" : "connected: " + joinMounts(connected);
            r = Result::fail("no source on " + settings.mount + " (" + why + ")");
            r.withValue(0, "sources");
        }
        if (m) addMountDetails(r, *m, flowOf(flows, m->mount));
    } else {
        std::string counted = human::count(static_cast<long long>(connected.size()), "source") + " connected";
        if (!connected.empty()) counted += " (" + joinMounts(connected) + ")";
        std::vector<std::string> problems;
        for (const auto* m : connected)
            for (auto& p : flowProblems(*m, flowOf(flows, m->mount), settings)) problems.push_back(std::move(p));
        if (static_cast<int>(connected.size()) < settings.minSources)
            r = Result::fail(counted + (connected.empty() ? " (need " : ", need ") + std::to_string(settings.minSources) +
                             (connected.empty() ? ")" : ""));
        else if (!problems.empty())
            r = Result::fail(counted + ", but " + join(problems, "; "));
        else
            r = Result::pass(counted);
        r.withValue(static_cast<double>(connected.size()), "sources");
        for (const auto& m : stats.mounts) addMountDetails(r, m, flowOf(flows, m.mount));
    }
    if (!stats.serverId.empty()) r.detail("server", stats.serverId);
    return r;
}

Result IcecastCheck::run(const CheckContext& context) {
    const IcecastSettings& s = settings_;
    const auto timeout = std::max(context.timeout, std::chrono::milliseconds(1));
    const std::string at = "Icecast at " + s.endpoint();
    common::HttpCall call;
    call.url = s.statsUrl;
    call.headers = {{"Authorization", s.authorization}, {"User-Agent", "encoder-watchdog"}};
    call.maxBodyBytes = s.maxBody;
    call.tls = tls_;
    common::HttpAnswer answer;
    try {
        answer = common::HttpFetch::within(timeout, [&context] { return context.isCancelled(); }).fetch(call);
    } catch (const common::HttpFetchError& e) {
        switch (e.failure()) {
            case common::HttpFailure::TimedOut:
                if (e.phase() == common::HttpPhase::Reading)
                    return Result::error(at + " sent only part of its answer within " + human::duration(timeout));
                return Result::error("no answer from " + at + " within " + human::duration(timeout));
            case common::HttpFailure::Cancelled:
                return Result::error("cancelled while reading Icecast's answer");
            case common::HttpFailure::Refused:
                return Result::error("cannot connect to " + at + ": connection refused");
            case common::HttpFailure::Unresolved:
                return Result::error("cannot resolve Icecast host " + s.host);
            case common::HttpFailure::Tls:
                return Result::error("TLS with " + at + " failed: " + e.reason());
            case common::HttpFailure::TooLarge:
                return Result::error("Icecast's answer is larger than " + std::to_string(s.maxBody >> 10) + "K (max_body)");
            case common::HttpFailure::Other:
                break;
        }
        return Result::error("request to " + at + " failed: " + e.what());
    }
    if (answer.status == 401) return Result::error(at + " refused the admin credentials (HTTP 401)");
    if (answer.status != 200)
        return Result::error(at + " answered HTTP " + std::to_string(answer.status) + " " + answer.reason + " for " + s.statsPath);
    if (answer.shortBody())
        return Result::error(at + " closed the connection after " + std::to_string(answer.body.size()) + " of " +
                             std::to_string(*answer.contentLength) + " bytes");
    IcecastStats stats;
    try {
        stats = parseIcecastStats(answer.body);
    } catch (const IcecastStatsError& e) {
        Poco::Logger::get("watchdog.check.icecast").debug("unusable /admin/stats body (%z bytes)", answer.body.size());
        return Result::error(at + " sent " + e.what());
    }
    return judge(stats, s, flow_.observe(stats, IcecastFlow::Clock::now(), s.mount));
}

}  // namespace watchdog::icecast

WATCHDOG_CHECK_PLUGIN(watchdog::icecast::IcecastCheck)
