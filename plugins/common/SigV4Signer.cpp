#include "SigV4Signer.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace watchdog::aws {

namespace {

// Poco 1.11's SHA2Engine lacks the BLOCK_SIZE/DIGEST_SIZE constants HMACEngine needs
// (they arrived in 1.12 as SHA2Engine256); this adapter supplies them (protocols.md 5.10).
class Sha256Engine : public Poco::SHA2Engine {
public:
    enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
    Sha256Engine() : Poco::SHA2Engine(Poco::SHA2Engine::SHA_256) {}
};

std::string trimAndCollapse(const std::string& value) {
    std::string out;
    bool space = false;
    for (char c : value) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

std::string toHex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 0x0F];
    }
    return out;
}

std::string sha256Hex(const std::string& bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string hmacSha256(const std::string& key, const std::string& message) {
    // The (const char*, size) constructor: keys are raw bytes and may hold NULs.
    Poco::HMACEngine<Sha256Engine> hmac(key.data(), key.size());
    hmac.update(message);
    const auto& digest = hmac.digest();
    return std::string(digest.begin(), digest.end());
}

std::string uriEncode(const std::string& text) {
    // With this reserved set Poco encodes exactly the non-unreserved bytes (protocols.md 4.1).
    std::string out;
    Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]", out);
    return out;
}

std::string canonicalQueryString(const std::string& rawQuery) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::size_t start = 0;
    while (start <= rawQuery.size() && !rawQuery.empty()) {
        std::size_t end = rawQuery.find('&', start);
        if (end == std::string::npos) end = rawQuery.size();
        const std::string part = rawQuery.substr(start, end - start);
        if (!part.empty()) {
            const auto eq = part.find('=');
            std::string name, value;
            Poco::URI::decode(part.substr(0, eq), name);
            if (eq != std::string::npos) Poco::URI::decode(part.substr(eq + 1), value);
            pairs.emplace_back(uriEncode(name), uriEncode(value));
        }
        start = end + 1;
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (const auto& [name, value] : pairs) {
        if (!out.empty()) out += '&';
        out += name + "=" + value;
    }
    return out;
}

std::string signingKey(const std::string& secret, const std::string& dateStamp, const std::string& region, const std::string& service) {
    const std::string kDate = hmacSha256("AWS4" + secret, dateStamp);
    const std::string kRegion = hmacSha256(kDate, region);
    const std::string kService = hmacSha256(kRegion, service);
    return hmacSha256(kService, "aws4_request");
}

SigV4Signature sign(const SigningRequest& request, const SigningScope& scope) {
    std::map<std::string, std::string> headers;  // sorted by lowercase name; duplicates joined with ','
    for (const auto& [name, value] : request.headers) {
        auto& slot = headers[lower(name)];
        slot += (slot.empty() ? "" : ",") + trimAndCollapse(value);
    }
    SigV4Signature sig;
    std::string canonicalHeaders;
    for (const auto& [name, value] : headers) {
        canonicalHeaders += name + ":" + value + "\n";
        sig.signedHeaders += (sig.signedHeaders.empty() ? "" : ";") + name;
    }
    // Non-S3 services encode each path segment twice; EC2's path is always "/".
    std::string path = request.path.empty() ? "/" : request.path;
    std::string encodedPath;
    std::size_t i = 0;
    while (i < path.size()) {
        std::size_t slash = path.find('/', i);
        if (slash == std::string::npos) slash = path.size();
        encodedPath += uriEncode(uriEncode(path.substr(i, slash - i)));
        if (slash < path.size()) encodedPath += '/';
        i = slash + 1;
    }
    if (encodedPath.empty() || encodedPath[0] != '/') encodedPath = "/" + encodedPath;

    sig.canonicalRequest = request.method + "\n" + encodedPath + "\n" + canonicalQueryString(request.query) + "\n" + canonicalHeaders +
                           "\n" + sig.signedHeaders + "\n" + sha256Hex(request.body);
    const std::string dateStamp = scope.amzDate.substr(0, 8);
    const std::string credentialScope = dateStamp + "/" + scope.region + "/" + scope.service + "/aws4_request";
    sig.stringToSign = "AWS4-HMAC-SHA256\n" + scope.amzDate + "\n" + credentialScope + "\n" + sha256Hex(sig.canonicalRequest);
    sig.signature = toHex(hmacSha256(signingKey(scope.secretAccessKey, dateStamp, scope.region, scope.service), sig.stringToSign));
    sig.authorization = "AWS4-HMAC-SHA256 Credential=" + scope.accessKeyId + "/" + credentialScope +
                        ", SignedHeaders=" + sig.signedHeaders + ", Signature=" + sig.signature;
    return sig;
}

std::string amzDateNow() { return Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y%m%dT%H%M%SZ"); }

}  // namespace watchdog::aws
