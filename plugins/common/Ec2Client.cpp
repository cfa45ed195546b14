#include "Ec2Client.h"

#include "SigV4Signer.h"

#include "HttpFetch.h"
#include "TlsClientPolicy.h"

#include <watchdog/HumanFormat.h>

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/URI.h>

#include <algorithm>
#include <thread>

namespace watchdog::aws {

namespace {

const char* kApiVersion = "2016-11-15";
const char* kContentType = "application/x-www-form-urlencoded; charset=utf-8";

Poco::Logger& logger() { return Poco::Logger::get("watchdog.action.aws_start"); }

std::string hostHeader(const Poco::URI& uri) {
    const bool defaultPort = (uri.getScheme() == "https" && uri.getPort() == 443) || (uri.getScheme() == "http" && uri.getPort() == 80);
    return defaultPort ? uri.getHost() : uri.getHost() + ":" + std::to_string(uri.getPort());
}

}  // namespace

bool pauseUnlessStopping(std::chrono::milliseconds delay, const std::function<bool()>& stopping) {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!(stopping && stopping())) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return true;
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(10)));
    }
    return false;
}

std::string defaultEc2Endpoint(const std::string& region) {
    const bool china = region.rfind("cn-", 0) == 0;
    return "https://ec2." + region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

bool Ec2Reply::retryable() const {
    if (!transportError.empty()) return true;
    if (httpStatus >= 500) return true;
    const std::string c = code();
    return c == "RequestLimitExceeded" || c == "Throttling" || c == "ThrottlingException" || c == "RequestThrottled" ||
           c == "ServiceUnavailable" || c == "Unavailable" || c == "InternalError" || c == "InternalFailure";
}

std::string Ec2Reply::describe() const {
    if (!transportError.empty()) return "network error: " + transportError;
    if (error) {
        std::string line = error->code + ": " + error->message;
        return line + " (HTTP " + std::to_string(httpStatus) + ")";
    }
    if (httpStatus != 200) return "HTTP " + std::to_string(httpStatus) + " without an EC2 error document";
    return "OK";
}

Ec2Client::Ec2Client(Ec2Settings settings) : settings_(std::move(settings)) {}

PreparedRequest Ec2Client::prepare(const std::string& action, const Ec2Params& params, const AwsCredentials& credentials,
                                   const std::string& amzDate) const {
    const Poco::URI uri(settings_.endpoint);
    PreparedRequest request;
    request.method = "POST";
    request.url = uri.getScheme() + "://" + hostHeader(uri) + "/";
    request.body = "Action=" + uriEncode(action) + "&Version=" + kApiVersion;
    for (const auto& [name, value] : params) request.body += "&" + uriEncode(name) + "=" + uriEncode(value);

    SigningRequest toSign;
    toSign.method = request.method;
    toSign.path = "/";
    toSign.body = request.body;
    toSign.headers = {{"Content-Type", kContentType}, {"Host", hostHeader(uri)}, {"X-Amz-Date", amzDate}};
    if (!credentials.sessionToken.empty()) toSign.headers.emplace_back("X-Amz-Security-Token", credentials.sessionToken);
    const auto signature = sign(toSign, {credentials.accessKeyId, credentials.secretAccessKey, settings_.region, "ec2", amzDate});
    request.headers = toSign.headers;
    request.headers.emplace_back("Authorization", signature.authorization);
    request.headers.emplace_back("Content-Length", std::to_string(request.body.size()));  // sent, not signed
    request.headers.emplace_back("User-Agent", "encoder-watchdog aws_start");             // sent, not signed
    return request;
}

Ec2Reply Ec2Client::send(const PreparedRequest& prepared) const {
    Ec2Reply reply;
    // One instance's DescribeInstances is a few KiB: a larger answer is not EC2, and is never held whole.
    constexpr std::size_t kMaxBody = 1 << 20;
    try {
        common::HttpCall call;
        call.method = prepared.method;
        Poco::URI endpoint(settings_.endpoint);
        endpoint.setPathEtc("/");
        call.url = endpoint.toString();
        call.headers = prepared.headers;  // their Host is the signed one
        call.body = prepared.body;
        call.maxBodyBytes = kMaxBody;
        // One explicit client context with the system CAs; never SSLManager's default context, which
        // inside a Util::Application prompts on stdin for bad certificates (protocols.md 5.4).
        if (endpoint.getScheme() == "https") call.tls = common::sharedTlsClientContext();
        // One deadline for the whole exchange: an endpoint that trickles its answer cannot stretch it.
        common::HttpAnswer answer = common::HttpFetch::within(settings_.timeout).fetch(call);
        reply.httpStatus = answer.status;
        reply.body = std::move(answer.body);
        if (reply.httpStatus != 200) reply.error = parseEc2Error(reply.body);
    } catch (const common::HttpFetchError& e) {
        if (e.failure() == common::HttpFailure::TimedOut)
            reply.transportError = "no answer within " + human::duration(settings_.timeout);
        else if (e.failure() == common::HttpFailure::TooLarge)
            reply.transportError = "the answer is larger than " + std::to_string(kMaxBody >> 10) + "K";
        else
            reply.transportError = e.what();
    } catch (const Poco::Exception& e) {
        reply.transportError = e.displayText();
    } catch (const std::exception& e) {
        reply.transportError = e.what();
    }
    return reply;
}

Ec2Reply Ec2Client::call(const std::string& action, const Ec2Params& params, const AwsCredentials& credentials,
                         const std::function<bool()>& stopping) const {
    auto delay = settings_.backoff;
    const int attempts = std::max(1, settings_.attempts);
    for (int attempt = 1;; ++attempt) {
        // Signed afresh each time: a retry much later must not carry a stale X-Amz-Date.
        Ec2Reply reply = send(prepare(action, params, credentials, amzDateNow()));
        reply.attempts = attempt;
        if (!reply.retryable() || attempt >= attempts) return reply;
        logger().warning("EC2 " + action + ": " + reply.describe() + "; retrying in " + std::to_string(delay.count()) + "ms (attempt " +
                         std::to_string(attempt + 1) + " of " + std::to_string(attempts) + ")");
        if (!pauseUnlessStopping(delay, stopping)) {
            reply.interrupted = true;
            return reply;
        }
        delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::milliseconds(20000));
    }
}

std::string Ec2Client::printable(const PreparedRequest& request) {
    std::string out = request.method + " " + request.url + "\n";
    for (const auto& [name, value] : request.headers)
        out += name + ": " + (name == "X-Amz-Security-Token" ? std::string("<redacted>") : value) + "\n";
    out += "\n" + request.body;
    return out;
}

}  // namespace watchdog::aws
