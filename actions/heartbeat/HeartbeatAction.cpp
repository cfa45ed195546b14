#include "HeartbeatAction.h"

#include "HttpFetch.h"
#include "TlsClientPolicy.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <Poco/Logger.h>
#include <Poco/URI.h>

namespace watchdog::heartbeat {

namespace {

using heartbeat::PingKind;

Poco::Logger& logger() { return Poco::Logger::get("watchdog.action.heartbeat"); }

// healthchecks.io's convention (Cronitor and others follow it): a suffix on the path, before any query.
std::string withSuffix(const std::string& url, const std::string& suffix) {
    const auto query = url.find_first_of("?#");
    std::string base = url.substr(0, query);
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + suffix + (query == std::string::npos ? "" : url.substr(query));
}

// The URL as logs may show it: scheme, host and port (the path holds the check's secret uuid or token).
std::string hostOf(const std::string& url) {
    try {
        Poco::URI uri(url);
        return uri.getScheme() + "://" + uri.getAuthority();
    } catch (const std::exception&) {
        return "the heartbeat URL";
    }
}

void requireHttpUrl(const Options& options, const std::string& key, const std::string& url) {
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const std::exception&) {
        options.report(key, "is not a URL (e.g. https://hc-ping.com/UUID)");
    }
    if (uri.getScheme() != "http" && uri.getScheme() != "https")
        options.report(key, "must start with http:// or https:// (e.g. https://hc-ping.com/UUID)");
    if (uri.getHost().empty()) options.report(key, "names no host (e.g. https://hc-ping.com/UUID)");
    if (!uri.getUserInfo().empty()) options.report(key, "must not carry user:password@; put the token in the path");
}

}  // namespace

void HeartbeatAction::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    url_ = options.secret("url");
    requireHttpUrl(options.block(), "url", url_);
    failUrl_ = options.secret("fail_url", withSuffix(url_, "/fail"));
    if (options.has("fail_url")) requireHttpUrl(options.block(), "fail_url", failUrl_);
    startUrl_ = options.secret("start_url", withSuffix(url_, "/start"));
    if (options.has("start_url")) requireHttpUrl(options.block(), "start_url", startUrl_);
    method_ = options.choice("method", {"GET", "POST"}, "GET");
    const auto every = options.duration("every", std::chrono::milliseconds(0));
    if (every.count() < 0) options.report("every", "must be 0 (every cycle) or more");
    timeout_ = options.duration("timeout", std::chrono::milliseconds(10000));
    if (timeout_.count() <= 0) options.report("timeout", "must be more than 0 (e.g. 10s)");
    const bool start = options.boolean("start", true);
    caFile_ = options.path("ca_file", "");
    if (!caFile_.empty()) {
        try {
            common::sharedTlsClientContext(caFile_);
        } catch (const std::exception& e) {
            options.report("ca_file", std::string("cannot be used: ") + e.what());
        }
    }
    plan_ = std::make_unique<heartbeat::PingPlan>(every, start);
    failuresInRow_ = 0;
}

std::string HeartbeatAction::urlFor(PingKind kind) const {
    switch (kind) {
        case PingKind::Start:
            return startUrl_;
        case PingKind::Fail:
            return failUrl_;
        case PingKind::Success:
            return url_;
    }
    return url_;
}

std::string HeartbeatAction::bodyFor(PingKind kind, const Event& event) {
    if (kind == PingKind::Start) return event.pipeline + ": watchdog started";
    int failing = 0;
    for (const auto& c : event.checks)
        if (c.health == Health::Failing) ++failing;
    std::string line = event.pipeline + ": " + human::count(event.checks.size(), "check") + ", " + std::to_string(failing) + " failing";
    if (kind == PingKind::Fail) line += "; an incident is open";
    return line;
}

std::string HeartbeatAction::ping(PingKind kind, const Event& event, const ActionContext& context) const {
    common::HttpCall call;
    call.method = method_;
    call.url = urlFor(kind);
    call.headers = {{"User-Agent", "encoder-watchdog heartbeat"}};
    if (method_ == "POST") {
        call.body = bodyFor(kind, event);
        call.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    }
    call.maxBodyBytes = 4096;
    call.truncateBody = true;
    if (call.url.rfind("https:", 0) == 0) call.tls = common::sharedTlsClientContext(caFile_);
    try {
        const common::HttpAnswer answer = common::HttpFetch::within(timeout_, [&context] { return context.isStopping(); }).fetch(call);
        if (answer.status >= 200 && answer.status < 300) return "";
        return hostOf(call.url) + " answered HTTP " + std::to_string(answer.status) + " " + answer.reason;
    } catch (const common::HttpFetchError& e) {
        if (e.failure() == common::HttpFailure::TimedOut)
            return "no answer from " + hostOf(call.url) + " within " + human::duration(timeout_) + " (timeout)";
        return "cannot reach " + hostOf(call.url) + ": " + e.reason();
    } catch (const std::exception& e) {
        return "cannot reach " + hostOf(call.url) + ": " + e.what();
    }
}

Outcome HeartbeatAction::report(PingKind kind, const std::string& error) {
    const std::string what = std::string(toString(kind)) + " ping";
    if (error.empty()) {
        if (failuresInRow_ > 0)
            logger().information("heartbeat: " + what + " delivered again after " + human::count(failuresInRow_, "failed ping"));
        failuresInRow_ = 0;
        return Outcome::success(what + " delivered", {{"ping", toString(kind)}});
    }
    ++failuresInRow_;
    if (failuresInRow_ == 1)
        return Outcome::failure(what + " failed: " + error + " (not retried; the next cycle pings again, further failures are not logged)",
                                {{"ping", toString(kind)}});
    return Outcome::success(what + " failed again (" + std::to_string(failuresInRow_) + " in a row): " + error,
                            {{"ping", toString(kind)}, {"failed_in_row", std::to_string(failuresInRow_)}});
}

Outcome HeartbeatAction::execute(const Event& event, const ActionContext& context) {
    const auto kind = plan_->next(event, heartbeat::PingPlan::Clock::now());
    if (!kind) return Outcome::success("nothing to ping");
    if (context.dryRun)
        return Outcome::success(std::string("would ping ") + toString(*kind) + " at " + hostOf(urlFor(*kind)) + " (dry run)");
    return report(*kind, ping(*kind, event, context));
}

}  // namespace watchdog::heartbeat

WATCHDOG_ACTION_PLUGIN(watchdog::heartbeat::HeartbeatAction)
