#include "ImdsClient.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
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

}  // namespace

ImdsClient::ImdsClient(std::string endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

ImdsAnswer ImdsClient::request(const std::string& method, const std::string& path, const std::string& headerName,
                               const std::string& headerValue) const {
    const Poco::URI base(endpoint_);
    Poco::Net::HTTPClientSession session(base.getHost(), base.getPort());
    session.setTimeout(Poco::Timespan(static_cast<long>(timeout_.count() / 1000),
                                      static_cast<long>((timeout_.count() % 1000) * 1000)));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set(headerName, headerValue);
    request.setContentLength(0);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    ImdsAnswer answer;
    answer.status = response.getStatus();
    Poco::StreamCopier::copyToString(in, answer.body);
    return answer;
}

std::optional<std::string> ImdsClient::token(std::string& why) const {
    try {
        // The TTL header is required on the token PUT (400 without it); 6 h is the maximum.
        const auto answer = request("PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "21600");
        if (answer.status == 200 && !trim(answer.body).empty()) return trim(answer.body);
        why = "instance metadata token request answered HTTP " + std::to_string(answer.status);
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
