// Signature V4 against published vectors: the AWS General Reference IAM ListUsers example and the
// aws-sig-v4-test-suite (aws-c-auth copy), plus EC2-shaped vectors cross-checked with botocore
// (protocols.md section 4; the two inconsistent 2015 post-x-www-form-urlencoded files are not used).
#include "SigV4Signer.h"

#include <doctest/doctest.h>

using namespace watchdog::aws;

namespace {
const char* kKey = "AKIDEXAMPLE";
const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const char* kTime = "20150830T123600Z";
const char* kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SigningRequest suiteRequest(const std::string& method, const std::string& query = "") {
    SigningRequest r;
    r.method = method;
    r.query = query;
    r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kTime}};
    return r;
}

SigningRequest ec2Request(const std::string& body) {
    SigningRequest r;
    r.body = body;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                 {"Host", "ec2.us-east-1.amazonaws.com"},
                 {"X-Amz-Date", kTime}};
    return r;
}
}  // namespace

TEST_CASE("HMAC-SHA256 through the Poco 1.11 adapter matches RFC 4231 cases 1 and 2") {
    CHECK(toHex(hmacSha256(std::string(20, '\x0b'), "Hi There")) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(toHex(hmacSha256("Jefe", "what do ya want for nothing?")) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(sha256Hex("") == kEmptyHash);
}

TEST_CASE("the derived signing keys match the published ones") {
    CHECK(toHex(signingKey(kSecret, "20150830", "us-east-1", "iam")) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    CHECK(toHex(signingKey(kSecret, "20150830", "us-east-1", "service")) ==
          "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
    CHECK(toHex(signingKey(kSecret, "20150830", "us-east-1", "ec2")) == "f683de3415e2edd5bd3ecba80fa9f855f4018470ccc66c03bb658895fef3aed2");
}

TEST_CASE("AWS General Reference example: IAM ListUsers") {
    SigningRequest r;
    r.method = "GET";
    r.query = "Action=ListUsers&Version=2010-05-08";
    r.headers = {
        {"Host", "iam.amazonaws.com"}, {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"X-Amz-Date", kTime}};
    const auto s = sign(r, {kKey, kSecret, "us-east-1", "iam", kTime});
    CHECK(s.canonicalRequest ==
          "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
          "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
          "content-type;host;x-amz-date\n" +
              std::string(kEmptyHash));
    CHECK(s.stringToSign ==
          "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
          "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    CHECK(s.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    CHECK(s.authorization ==
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
          "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST_CASE("test suite: get-vanilla, post-vanilla and get-vanilla-query-order-key-case") {
    const SigningScope scope{kKey, kSecret, "us-east-1", "service", kTime};
    const auto get = sign(suiteRequest("GET"), scope);
    CHECK(get.canonicalRequest ==
          "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + std::string(kEmptyHash));
    CHECK(sha256Hex(get.canonicalRequest) == "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    CHECK(get.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    CHECK(get.authorization ==
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
          "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");

    const auto post = sign(suiteRequest("POST"), scope);
    CHECK(sha256Hex(post.canonicalRequest) == "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87");
    CHECK(post.signature == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");

    const auto ordered = sign(suiteRequest("GET", "Param2=value2&Param1=value1"), scope);
    CHECK(ordered.canonicalRequest.find("\nParam1=value1&Param2=value2\n") != std::string::npos);
    CHECK(sha256Hex(ordered.canonicalRequest) == "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
    CHECK(ordered.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST_CASE("test suite (aws-c-auth): get-vanilla-with-session-token signs the token header") {
    auto r = suiteRequest("GET");
    r.headers.emplace_back("X-Amz-Security-Token", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267");
    const auto s = sign(r, {kKey, kSecret, "us-east-1", "service", kTime});
    CHECK(s.signedHeaders == "host;x-amz-date;x-amz-security-token");
    CHECK(sha256Hex(s.canonicalRequest) == "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b");
    CHECK(s.signature == "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
}

TEST_CASE("test suite (aws-c-auth): post-x-www-form-urlencoded with its body") {
    SigningRequest r;
    r.body = "Param1=value1";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Content-Length", "13"},
                 {"Host", "example.amazonaws.com"},
                 {"X-Amz-Content-Sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"},
                 {"X-Amz-Date", kTime}};
    const auto s = sign(r, {kKey, kSecret, "us-east-1", "service", kTime});
    CHECK(s.signedHeaders == "content-length;content-type;host;x-amz-content-sha256;x-amz-date");
    CHECK(sha256Hex(s.canonicalRequest) == "b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb");
    CHECK(s.signature == "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b");
}

TEST_CASE("EC2-shaped vectors (cross-checked with botocore SigV4Auth): StartInstances, DryRun describe, session token") {
    const SigningScope scope{kKey, kSecret, "us-east-1", "ec2", kTime};
    const auto start = sign(ec2Request("Action=StartInstances&InstanceId.1=i-1234567890abcdef0&Version=2016-11-15"), scope);
    CHECK(start.canonicalRequest.substr(start.canonicalRequest.rfind('\n') + 1) ==
          "1a7c47b587d2c70b5460e6ba6bc3fd83d0ab34bcabc7e1279770587d390a898d");
    CHECK(sha256Hex(start.canonicalRequest) == "9688cbef4f05c5ebfdcce273bd265def417fb4cab3698a7357f8fbee3d7507f0");
    CHECK(start.signature == "020a5ab32c4cf309f299dc3d322b0d68fdc30e4c52c6ba1bd0361c55b68cbf08");

    const auto describe =
        sign(ec2Request("Action=DescribeInstances&DryRun=true&InstanceId.1=i-1234567890abcdef0&Version=2016-11-15"), scope);
    CHECK(sha256Hex(describe.canonicalRequest) == "70e738c4c02e1bd470ed9d57b3fe12dc346bedf9fa7da7c4a1c7b497a4dd092f");
    CHECK(describe.signature == "c49213cf83925731222eb1da0006d0b7da3abe977b8baa141ada98167bc67c2a");

    auto withToken = ec2Request("Action=StartInstances&InstanceId.1=i-1234567890abcdef0&Version=2016-11-15");
    withToken.headers.emplace_back("X-Amz-Security-Token", "AQoDYXdzEJr...EXAMPLETOKEN");
    const auto token = sign(withToken, scope);
    CHECK(token.signedHeaders == "content-type;host;x-amz-date;x-amz-security-token");
    CHECK(sha256Hex(token.canonicalRequest) == "6006ac5ca40739d76e2f2c3144a6c5f48159670adceb34659f3065851bf2863d");
    CHECK(token.signature == "39f93cd369a818c2eaeca576ba77ba9504a05ba7dbf25630e9de7957d796b6f8");
}

TEST_CASE("URI encoding follows SigV4: unreserved kept, the rest %XX uppercase, space is %20") {
    CHECK(uriEncode("AZaz09-_.~") == "AZaz09-_.~");
    CHECK(uriEncode("a b/c:d=e&f+g@h") == "a%20b%2Fc%3Ad%3De%26f%2Bg%40h");
    CHECK(uriEncode("\xC3\xA9") == "%C3%A9");
    CHECK(canonicalQueryString("b=2&a=1&a=0&c") == "a=0&a=1&b=2&c=");
}
