#include "FakeEc2Auth.h"

#include <Poco/DateTimeParser.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <regex>

namespace watchdog::test {

namespace {

// An independent SigV4 implementation (not the plugin's): the fake must check what AWS checks, so a
// bug shared by signer and verifier cannot hide. The awscli cross-check test proves this one.
class Sha256 : public Poco::SHA2Engine {
public:
    enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
    Sha256() : Poco::SHA2Engine(Poco::SHA2Engine::SHA_256) {}
};

std::string hmac(const std::string& key, const std::string& data) {
    Poco::HMACEngine<Sha256> h(key.data(), key.size());
    h.update(data);
    const auto& d = h.digest();
    return std::string(d.begin(), d.end());
}

std::string sha256Hex(const std::string& data) {
    Poco::SHA2Engine e(Poco::SHA2Engine::SHA_256);
    e.update(data);
    return Poco::DigestEngine::digestToHex(e.digest());
}

std::string hex(const std::string& raw) { return Poco::DigestEngine::digestToHex(Poco::DigestEngine::Digest(raw.begin(), raw.end())); }

std::string awsEncode(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            static const char* digits = "0123456789ABCDEF";
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out;
}

std::string formDecode(const std::string& s) {
    std::string plus = s;
    std::replace(plus.begin(), plus.end(), '+', ' ');
    std::string out;
    Poco::URI::decode(plus, out);
    return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> splitFormPairs(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('&', start);
        if (end == std::string::npos) end = text.size();
        const std::string part = text.substr(start, end - start);
        if (!part.empty()) {
            const auto eq = part.find('=');
            out.emplace_back(formDecode(part.substr(0, eq)), eq == std::string::npos ? "" : formDecode(part.substr(eq + 1)));
        }
        start = end + 1;
    }
    return out;
}

namespace {

std::string canonicalHeaderValue(const std::string& v) {
    std::string out;
    bool space = false;
    for (char c : v) {
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

Ec2AuthFailure fail(int status, const std::string& code, const std::string& message) { return {status, code, message}; }

}  // namespace

std::optional<Ec2AuthFailure> verifyEc2Signature(const Poco::Net::HTTPServerRequest& req, const std::string& body,
                                                 const std::map<std::string, Ec2Key>& keys, const std::string& region,
                                                 std::chrono::seconds clockOffset, std::string& accessKeyId) {
    const std::string auth = req.get("Authorization", "");
    if (auth.empty()) return fail(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
    static const std::regex shape(
        R"(AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64}))");
    std::smatch m;
    if (!std::regex_match(auth, m, shape))
        return fail(400, "IncompleteSignature", "Authorization header requires Credential, SignedHeaders and Signature.");
    const std::string akid = m[1], date = m[2], scopeRegion = m[3], service = m[4], signedList = m[5], signature = m[6];
    accessKeyId = akid;
    const auto key = keys.find(akid);
    if (key == keys.end()) return fail(401, "AuthFailure", "AWS was not able to validate the provided access credentials");

    const std::string amzDate = req.get("X-Amz-Date", "");
    Poco::DateTime when;
    int tz = 0;
    if (amzDate.size() != 16 || !Poco::DateTimeParser::tryParse("%Y%m%dT%H%M%SZ", amzDate, when, tz))
        return fail(400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    const auto now = Poco::Timestamp().epochTime() + clockOffset.count();
    if (std::llabs(static_cast<long long>(when.timestamp().epochTime()) - static_cast<long long>(now)) > 15 * 60)
        return fail(400, "RequestExpired", "Request has expired.");
    if (scopeRegion != region || service != "ec2" || date != amzDate.substr(0, 8))
        return fail(401, "AuthFailure", "Credential should be scoped to a valid region, not '" + scopeRegion + "'. ");

    std::vector<std::string> names;
    std::size_t s = 0;
    while (s <= signedList.size()) {
        auto e = signedList.find(';', s);
        if (e == std::string::npos) e = signedList.size();
        names.push_back(signedList.substr(s, e - s));
        s = e + 1;
    }
    const bool hasHost = std::count(names.begin(), names.end(), "host") > 0;
    const bool hasDate = std::count(names.begin(), names.end(), "x-amz-date") > 0;
    if (!hasHost || !hasDate) return fail(400, "IncompleteSignature", "SignedHeaders must include host and x-amz-date.");
    if (!key->second.token.empty()) {
        const bool tokenSigned = std::count(names.begin(), names.end(), "x-amz-security-token") > 0;
        if (!tokenSigned || req.get("X-Amz-Security-Token", "") != key->second.token)
            return fail(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
    }

    std::string canonicalHeaders;
    for (const auto& name : names) {
        std::string value;
        for (auto it = req.find(name); it != req.end(); ++it) {
            if (Poco::icompare(it->first, name) != 0) break;
            value += (value.empty() ? "" : ",") + canonicalHeaderValue(it->second);
        }
        canonicalHeaders += name + ":" + value + "\n";
    }
    Poco::URI uri(req.getURI());
    std::vector<std::pair<std::string, std::string>> query;
    for (const auto& [k, v] : splitFormPairs(uri.getRawQuery())) query.emplace_back(awsEncode(k), awsEncode(v));
    std::sort(query.begin(), query.end());
    std::string canonicalQuery;
    for (const auto& [k, v] : query) canonicalQuery += (canonicalQuery.empty() ? "" : "&") + k + "=" + v;
    std::string path = uri.getPath().empty() ? "/" : uri.getPath();
    const std::string creq =
        req.getMethod() + "\n" + path + "\n" + canonicalQuery + "\n" + canonicalHeaders + "\n" + signedList + "\n" + sha256Hex(body);
    const std::string scope = date + "/" + scopeRegion + "/" + service + "/aws4_request";
    const std::string sts = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(creq);
    const std::string kSigning = hmac(hmac(hmac(hmac("AWS4" + key->second.secret, date), scopeRegion), service), "aws4_request");
    if (hex(hmac(kSigning, sts)) != signature)
        return fail(403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
                    "Access Key and signing method. Consult the service documentation for details.");
    return std::nullopt;
}

}  // namespace watchdog::test
