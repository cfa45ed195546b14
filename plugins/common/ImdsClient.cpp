#include "ImdsClient.h"

#include "HttpFetch.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <cctype>

namespace watchdog::common {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// The metadata service's answers are a few hundred bytes (a role's credentials, a region).
constexpr std::uint64_t kMaxAnswer = 64 * 1024;

std::string describe(const HttpFetchError& e, std::chrono::milliseconds timeout) {
    if (e.failure() != HttpFailure::TimedOut) return e.what();
    const auto ms = timeout.count();
    return "no answer within " + (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms");
}

}  // namespace

ImdsClient::ImdsClient(std::string endpoint, std::chrono::milliseconds timeout) : endpoint_(std::move(endpoint)), timeout_(timeout) {}

ImdsAnswer ImdsClient::request(const std::string& method, const std::string& path, const std::string& headerName,
                               const std::string& headerValue) const {
    Poco::URI url(endpoint_);
    url.setPathEtc(path);
    HttpCall call;
    call.method = method;
    call.url = url.toString();
    call.headers = {{headerName, headerValue}};
    call.maxBodyBytes = kMaxAnswer;
    // One deadline per request, the whole answer included.
    HttpAnswer answer = HttpFetch::within(timeout_).fetch(call);
    return ImdsAnswer{answer.status, std::move(answer.body)};
}

std::optional<std::string> ImdsClient::token(std::string& why) const {
    try {
        // The TTL header is required on the token PUT (400 without it); 6 h is the maximum.
        const auto answer = request("PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "21600");
        if (answer.status == 200 && !trim(answer.body).empty()) return trim(answer.body);
        why = "instance metadata token request answered HTTP " + std::to_string(answer.status);
    } catch (const HttpFetchError& e) {
        why = "instance metadata service at " + endpoint_ + ": " + describe(e, timeout_);
    } catch (const Poco::Exception& e) {
        why = "instance metadata service at " + endpoint_ + ": " + e.displayText();
    } catch (const std::exception& e) {
        why = "instance metadata service at " + endpoint_ + ": " + e.what();
    }
    return std::nullopt;
}

std::optional<ImdsAnswer> ImdsClient::get(const std::string& path, const std::string& token, std::string& why) const {
    try {
        return request("GET", path, "X-aws-ec2-metadata-token", token);
    } catch (const HttpFetchError& e) {
        why = "instance metadata service at " + endpoint_ + ": " + describe(e, timeout_);
    } catch (const Poco::Exception& e) {
        why = "instance metadata service at " + endpoint_ + ": " + e.displayText();
    } catch (const std::exception& e) {
        why = "instance metadata service at " + endpoint_ + ": " + e.what();
    }
    return std::nullopt;
}

bool metadataDisabled(const EnvironmentReader& environment) {
    std::string value = environmentValue(environment, "AWS_EC2_METADATA_DISABLED");
    for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return value == "true";
}

}  // namespace watchdog::common
