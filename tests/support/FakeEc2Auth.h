#pragma once

// FakeEc2's Signature V4 check, written independently of the plugin's signer so that a bug shared by
// signer and verifier cannot hide (the awscli cross-check test proves this verifier against botocore).

#include <Poco/Net/HTTPServerRequest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace watchdog::test {

/// A key pair FakeEc2 accepts; a non-empty token must come as a signed X-Amz-Security-Token.
struct Ec2Key {
    std::string secret;  ///< the secret access key
    std::string token;   ///< the session token, or "" for long-term keys
};

/// Why EC2 would refuse a request: HTTP status, error code and message as AWS words them.
struct Ec2AuthFailure {
    int status = 0;       ///< 400, 401 or 403
    std::string code;     ///< "SignatureDoesNotMatch", "AuthFailure", "RequestExpired", "IncompleteSignature"
    std::string message;  ///< AWS's text
};

/// Recomputes the SigV4 signature of `req` (with its exact `body`) from the known secret; nullopt when
/// valid. The X-Amz-Date must be within 15 minutes of now + `clockOffset`. Sets `accessKeyId` when readable.
std::optional<Ec2AuthFailure> verifyEc2Signature(const Poco::Net::HTTPServerRequest& req, const std::string& body,
                                                 const std::map<std::string, Ec2Key>& keys, const std::string& region,
                                                 std::chrono::seconds clockOffset, std::string& accessKeyId);

/// Splits and decodes "a=1&b=x+y" (form or query) into pairs, '+' as space.
std::vector<std::pair<std::string, std::string>> splitFormPairs(const std::string& text);

}  // namespace watchdog::test
