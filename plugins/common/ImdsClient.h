#pragma once

// The EC2 instance metadata service, IMDSv2 only (protocols.md 3.4): a session token from
// PUT /latest/api/token, then GETs that carry it.

#include "AwsSharedConfig.h"

#include <chrono>
#include <optional>
#include <string>

namespace watchdog::common {

/// The metadata service's well-known address.
inline constexpr const char* defaultImdsEndpoint = "http://169.254.169.254";

/// One HTTP answer from the metadata service.
struct ImdsAnswer {
    int status = 0;    ///< HTTP status
    std::string body;  ///< the whole body
};

/// Talks to one metadata endpoint with a per-request timeout.
class ImdsClient {
public:
    /// `endpoint` is "http://HOST[:PORT]"; each request ends within `timeout`, its whole answer included.
    ImdsClient(std::string endpoint, std::chrono::milliseconds timeout);

    /// Asks for a session token (6 h TTL); nullopt with `why` set when the service refuses or is absent.
    std::optional<std::string> token(std::string& why) const;
    /// GETs `path` with the token; nullopt with `why` set when the service cannot be reached.
    std::optional<ImdsAnswer> get(const std::string& path, const std::string& token, std::string& why) const;
    /// The endpoint, for messages.
    const std::string& endpoint() const { return endpoint_; }

private:
    ImdsAnswer request(const std::string& method, const std::string& path, const std::string& headerName,
                       const std::string& headerValue) const;

    std::string endpoint_;
    std::chrono::milliseconds timeout_;
};

/// True when AWS_EC2_METADATA_DISABLED is "true" (any case), as the AWS CLI reads it.
bool metadataDisabled(const EnvironmentReader& environment);

}  // namespace watchdog::common
