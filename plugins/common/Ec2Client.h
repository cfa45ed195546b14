#pragma once

// The EC2 Query API over HTTP(S): a signed POST of form parameters (API version 2016-11-15), with
// retries and backoff for throttling, 5xx and network errors only.

#include "AwsCredentials.h"
#include "Ec2Xml.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace watchdog::aws {

/// Form parameters in the order they are sent ("InstanceId.1", "DryRun").
using Ec2Params = std::vector<std::pair<std::string, std::string>>;

/// Where and how to talk to EC2.
struct Ec2Settings {
    std::string endpoint;                      ///< "https://ec2.eu-west-2.amazonaws.com" or a test URL
    std::string region;                        ///< signing region
    std::chrono::milliseconds timeout{10000};  ///< per HTTP exchange (connect, send, receive)
    int attempts = 4;                          ///< tries per call for retryable failures
    std::chrono::milliseconds backoff{500};    ///< first retry delay; doubles each time, capped at 20 s
};

/// A request ready to go: what is sent, byte for byte.
struct PreparedRequest {
    std::string method;                                        ///< "POST"
    std::string url;                                           ///< endpoint + "/"
    std::vector<std::pair<std::string, std::string>> headers;  ///< including Authorization
    std::string body;                                          ///< form-encoded parameters
};

/// What one call ended with.
struct Ec2Reply {
    int httpStatus = 0;             ///< 0 when no HTTP answer arrived
    std::string body;               ///< the raw answer
    std::optional<Ec2Error> error;  ///< parsed error document, if any
    std::string transportError;     ///< "Connection refused", "Timeout"...
    int attempts = 1;               ///< how many tries it took
    bool interrupted = false;       ///< gave up retrying because the daemon is stopping

    /// HTTP 200 without an error document.
    bool ok() const { return httpStatus == 200 && !error && transportError.empty(); }
    /// The EC2 error code, or "" for success and transport errors.
    std::string code() const { return error ? error->code : std::string(); }
    /// Throttling, 5xx or a network error: worth another try.
    bool retryable() const;
    /// One line: "UnauthorizedOperation: You are not authorized... (HTTP 403)" or "network error: ...".
    std::string describe() const;
};

/// Talks to one EC2 endpoint.
class Ec2Client {
public:
    /// Keeps the settings; opens a connection per request.
    explicit Ec2Client(Ec2Settings settings);

    /// Builds and signs a request for `action` at `amzDate` (the body carries Action and Version).
    PreparedRequest prepare(const std::string& action, const Ec2Params& params, const AwsCredentials& credentials,
                            const std::string& amzDate) const;
    /// Sends one prepared request, once.
    Ec2Reply send(const PreparedRequest& request) const;
    /// Signs and sends, retrying throttling, 5xx and network errors with backoff until `stopping()`.
    Ec2Reply call(const std::string& action, const Ec2Params& params, const AwsCredentials& credentials,
                  const std::function<bool()>& stopping) const;
    /// The request as text (method, URL, headers, body); a session token is shown as <redacted>.
    static std::string printable(const PreparedRequest& request);
    /// The settings in use.
    const Ec2Settings& settings() const { return settings_; }

private:
    Ec2Settings settings_;
};

/// Sleeps `delay` in small steps; false (early) as soon as `stopping()` is true.
bool pauseUnlessStopping(std::chrono::milliseconds delay, const std::function<bool()>& stopping);

/// The regional endpoint: https://ec2.REGION.amazonaws.com (".com.cn" for China regions).
std::string defaultEc2Endpoint(const std::string& region);

}  // namespace watchdog::aws
