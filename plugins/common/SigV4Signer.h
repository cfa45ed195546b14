#pragma once

// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
// computed with Poco's SHA-256 and HMAC; no AWS SDK.

#include <string>
#include <utility>
#include <vector>

namespace watchdog::aws {

/// One HTTP request as it will be sent; every header listed here is signed.
struct SigningRequest {
    std::string method = "POST";                               ///< "GET", "POST"
    std::string path = "/";                                    ///< absolute path, not yet encoded
    std::string query;                                         ///< raw query string after '?', may be empty
    std::vector<std::pair<std::string, std::string>> headers;  ///< must include host and x-amz-date
    std::string body;                                          ///< the exact bytes sent
};

/// Who signs, for which scope and when.
struct SigningScope {
    std::string accessKeyId;      ///< AKID, shown in the Authorization header
    std::string secretAccessKey;  ///< never printed
    std::string region;           ///< "eu-west-2"
    std::string service;          ///< "ec2"
    std::string amzDate;          ///< "20150830T123600Z" (UTC); its first 8 characters are the date stamp
};

/// Every intermediate value, so tests can compare each step with the published vectors.
struct SigV4Signature {
    std::string canonicalRequest;  ///< step 1
    std::string stringToSign;      ///< step 2
    std::string signedHeaders;     ///< "content-type;host;x-amz-date"
    std::string signature;         ///< lowercase hex
    std::string authorization;     ///< the full Authorization header value
};

/// Lowercase hex SHA-256 of the bytes.
std::string sha256Hex(const std::string& bytes);
/// Raw HMAC-SHA256 of `message` under a binary `key`.
std::string hmacSha256(const std::string& key, const std::string& message);
/// Lowercase hex of raw bytes.
std::string toHex(const std::string& bytes);
/// RFC 3986 encoding as SigV4 wants it: unreserved kept, everything else %XX uppercase.
std::string uriEncode(const std::string& text);
/// The canonical query string: each name and value re-encoded, sorted by name then value.
std::string canonicalQueryString(const std::string& rawQuery);
/// The derived signing key (raw bytes) for date stamp, region and service.
std::string signingKey(const std::string& secret, const std::string& dateStamp, const std::string& region, const std::string& service);
/// Signs a request: canonical request, string to sign, signature and Authorization header.
SigV4Signature sign(const SigningRequest& request, const SigningScope& scope);
/// The current UTC time as an X-Amz-Date value.
std::string amzDateNow();

}  // namespace watchdog::aws
