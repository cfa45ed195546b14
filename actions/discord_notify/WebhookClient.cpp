#include "WebhookClient.h"

#include "HttpFetch.h"
#include "TlsClientPolicy.h"

#include <watchdog/HumanFormat.h>

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <thread>

namespace watchdog::discord_notify {

namespace {

using Ms = std::chrono::milliseconds;

Poco::Logger& logger() { return Poco::Logger::get("watchdog.action.discord_notify"); }

double numberOr(const std::string& text, double fallback) {
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        return used > 0 && std::isfinite(v) && v >= 0 ? v : fallback;
    } catch (const std::exception&) {
        return fallback;
    }
}

Ms fromSeconds(double s) { return Ms(static_cast<long long>(std::ceil(s * 1000.0))); }

std::string describe(int status, const std::string& error) {
    if (status == 0) return error;
    return "HTTP " + std::to_string(status) + (error.empty() ? "" : " (" + error + ")");
}

}  // namespace

bool pauseUnlessStopping(Ms wait, const std::function<bool()>& stopping) {
    const auto until = std::chrono::steady_clock::now() + wait;
    while (true) {
        if (stopping && stopping()) return false;
        const auto now = std::chrono::steady_clock::now();
        if (now >= until) return true;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, Ms(20)));
    }
}

WebhookClient::WebhookClient(WebhookUrl url, DeliverySettings settings) : url_(std::move(url)), settings_(std::move(settings)) {}

WebhookClient::Reply WebhookClient::attempt(const Request& request, const std::string& body) {
    Reply reply;
    try {
        common::HttpCall call;
        call.method = request.method;
        call.url = request.url;
        call.headers = {{"Content-Type", "application/json"}, {"User-Agent", settings_.userAgent}};
        call.body = body;
        // Discord's answers are small; never hold more than 64 KiB of whatever a proxy sends back.
        call.maxBodyBytes = 64 * 1024;
        call.truncateBody = true;
        // One verifying context per CA choice: the system store by default (protocols.md 5.4).
        if (url_.scheme() == "https") call.tls = common::sharedTlsClientContext(settings_.caFile);
        // One deadline for the whole attempt: a proxy that trickles its answer cannot stretch it.
        const common::HttpAnswer answer = common::HttpFetch::within(settings_.requestTimeout).fetch(call);
        const std::string& text = answer.body;
        reply.status = answer.status;
        if (answer.headers.has("X-RateLimit-Remaining")) reply.bucketEmpty = answer.headers.get("X-RateLimit-Remaining") == "0";
        if (answer.headers.has("X-RateLimit-Reset-After"))
            reply.resetAfterSeconds = numberOr(answer.headers.get("X-RateLimit-Reset-After"), -1);
        Poco::JSON::Object::Ptr json;
        try {
            Poco::JSON::Parser parser;
            if (!text.empty()) json = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
        } catch (const std::exception&) {
        }
        if (json && json->has("code")) reply.code = static_cast<int>(numberOr(json->get("code").toString(), 0));
        if (reply.status >= 200 && reply.status < 300) {
            if (json && json->has("id")) reply.messageId = json->get("id").toString();
            return reply;
        }
        if (reply.status == 429) {
            // v10 gives retry_after in (float) seconds in the body; Retry-After is whole seconds.
            if (json && json->has("retry_after")) reply.retryAfterSeconds = numberOr(json->get("retry_after").toString(), -1);
            if (reply.retryAfterSeconds < 0 && answer.headers.has("Retry-After"))
                reply.retryAfterSeconds = numberOr(answer.headers.get("Retry-After"), -1);
            if (reply.retryAfterSeconds < 0) reply.retryAfterSeconds = reply.resetAfterSeconds;
            const bool global = json && json->optValue<bool>("global", false);
            reply.error = global ? "rate limited, global" : "rate limited";
        } else if (json && json->has("message")) {
            reply.error = (json->has("code") ? json->get("code").toString() + " " : "") + json->get("message").toString();
            if (auto details = json->getObject("errors")) {
                std::ostringstream errors;
                details->stringify(errors);
                std::string e = errors.str();
                if (e.size() > 300) e = e.substr(0, 300) + "...";
                if (!e.empty()) reply.error += ": " + e;
            }
        } else {
            reply.error = answer.reason;
        }
    } catch (const common::HttpFetchError& e) {
        reply.status = 0;
        if (e.failure() == common::HttpFailure::TimedOut) {
            reply.error = "no answer within " + human::duration(settings_.requestTimeout);
        } else {
            reply.error = e.what();
            // A certificate that fails verification will fail the same way next time.
            reply.permanent = e.failure() == common::HttpFailure::Tls && (reply.error.find("certificate") != std::string::npos ||
                                                                          reply.error.find("Certificate") != std::string::npos);
        }
    } catch (const Poco::Exception& e) {
        reply.status = 0;
        reply.error = e.displayText();
    } catch (const std::exception& e) {
        reply.status = 0;
        reply.error = e.what();
    }
    reply.error = url_.redact(reply.error);
    return reply;
}

Delivery WebhookClient::post(const std::string& body, const std::function<bool()>& stopping) {
    return deliver({"POST", url_.target(), "message"}, body, stopping);
}

Delivery WebhookClient::create(const std::string& body, const std::function<bool()>& stopping) {
    Delivery d = deliver({"POST", url_.target("", "wait=true"), "message"}, body, stopping);
    if (d.ok && d.messageId.empty()) d.summary += " (Discord's reply carried no message id)";
    return d;
}

Delivery WebhookClient::edit(const std::string& messageId, const std::string& body, const std::function<bool()>& stopping) {
    Delivery d = deliver({"PATCH", url_.target("/messages/" + messageId, ""), "edit of message " + messageId}, body, stopping);
    if (d.ok && d.messageId.empty()) d.messageId = messageId;
    return d;
}

Delivery WebhookClient::deliver(const Request& request, const std::string& body, const std::function<bool()>& stopping) {
    Delivery d;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + settings_.maxRetryTime;
    const auto elapsed = [&] { return human::duration(std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - start)); };
    // The previous answer said the bucket is empty: wait for its reset instead of earning a 429.
    if (notBefore_ > start && !pauseUnlessStopping(std::chrono::ceil<Ms>(std::min(notBefore_, deadline) - start), stopping)) {
        d.summary = "not sent: the watchdog is stopping";
        return d;
    }
    Ms backoff = settings_.backoff;
    while (true) {
        const Reply reply = attempt(request, body);
        ++d.attempts;
        d.status = reply.status;
        if (reply.bucketEmpty && reply.resetAfterSeconds >= 0)
            notBefore_ = std::chrono::steady_clock::now() + fromSeconds(reply.resetAfterSeconds);
        if (reply.status >= 200 && reply.status < 300) {
            d.ok = true;
            d.messageId = reply.messageId;
            d.summary = "delivered" + (d.attempts > 1 ? " after " + std::to_string(d.attempts) + " attempts" : std::string());
            return d;
        }
        const std::string what = describe(reply.status, reply.error);
        Ms wait{0};
        if (reply.status == 429) {
            // A floor keeps a stream of retry_after: 0 from turning into a flood of requests
            // (10,000 429s in 10 minutes get the IP banned, protocols.md 2.4).
            wait = std::max(Ms(100), fromSeconds(reply.retryAfterSeconds >= 0 ? reply.retryAfterSeconds : 1.0));
        } else if (reply.permanent) {
            d.summary = "cannot reach Discord securely: " + what + " (check the system CA store or ca_file)";
            return d;
        } else if (reply.status == 0 || reply.status >= 500) {
            wait = backoff;
            backoff = std::min(backoff * 2, settings_.maxBackoff);
        } else {
            if (reply.status == 404 && reply.code == 10008) {
                d.unknownMessage = true;
                d.summary = request.what + " refused: the message no longer exists in Discord (" + what + ")";
            } else if (reply.status == 404)
                d.summary = "webhook " + url_.id() + " does not exist (" + what + "); create a new webhook and update webhook_url";
            else if (reply.status == 401 || reply.status == 403)
                d.summary = "webhook " + url_.id() + " refused the token (" + what + "); check webhook_url";
            else
                d.summary = "Discord refused the message: " + what;
            return d;
        }
        if (std::chrono::steady_clock::now() + wait > deadline) {
            d.summary = "gave up after " + human::count(d.attempts, "attempt") + " in " + elapsed() + ": " + what +
                        (reply.status == 429 ? "; Discord asked to wait " + human::duration(wait) + ", beyond max_retry_time" : "");
            return d;
        }
        logger().warning("discord_notify " + url_.redacted() + ": " + request.what + ": " + what + "; retrying in " +
                         human::duration(wait) + " (attempt " + std::to_string(d.attempts + 1) + ")");
        if (!pauseUnlessStopping(wait, stopping)) {
            d.summary = "stopped retrying after " + human::count(d.attempts, "attempt") + ": the watchdog is stopping (last: " + what + ")";
            return d;
        }
    }
}

}  // namespace watchdog::discord_notify
