#include "FakeEc2.h"

#include "TestSupport.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/NumberParser.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>

#include <mutex>
#include <set>

namespace watchdog::test {

struct FakeImds::State {
    std::string role, accessKeyId, secret, token, region;
    bool hasRole = true;
    mutable std::mutex mutex;
    std::set<std::string> tokens;
    int tokenRequests = 0;
    int credentialRequests = 0;
    int refused = 0;
    std::unique_ptr<LocalHttpServer> server;

    void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
        using Poco::Net::HTTPResponse;
        auto answer = [&](HTTPResponse::HTTPStatus status, const std::string& body, const std::string& type = "text/plain") {
            resp.setStatusAndReason(status);
            resp.setContentType(type);
            resp.setContentLength(static_cast<std::streamsize>(body.size()));
            resp.send() << body;
        };
        std::unique_lock<std::mutex> lock(mutex);
        const std::string path = req.getURI();
        if (path == "/latest/api/token") {
            ++tokenRequests;
            if (req.getMethod() != "PUT") return answer(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "");
            // The TTL header is required and must be 1..21600 seconds (IMDS user guide).
            int ttl = 0;
            if (!Poco::NumberParser::tryParse(req.get("X-aws-ec2-metadata-token-ttl-seconds", ""), ttl) || ttl < 1 || ttl > 21600) {
                ++refused;
                return answer(HTTPResponse::HTTP_BAD_REQUEST, "");
            }
            const std::string t = "AQAEA" + Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
            tokens.insert(t);
            resp.set("X-aws-ec2-metadata-token-ttl-seconds", std::to_string(ttl));
            return answer(HTTPResponse::HTTP_OK, t);
        }
        // IMDSv2 only (HttpTokens=required): a GET without a valid token gets 401.
        if (!tokens.count(req.get("X-aws-ec2-metadata-token", ""))) {
            ++refused;
            return answer(HTTPResponse::HTTP_UNAUTHORIZED, "");
        }
        if (path == "/latest/meta-data/placement/region")
            return region.empty() ? answer(HTTPResponse::HTTP_NOT_FOUND, "") : answer(HTTPResponse::HTTP_OK, region);
        const std::string prefix = "/latest/meta-data/iam/security-credentials/";
        if (path == prefix) return hasRole ? answer(HTTPResponse::HTTP_OK, role) : answer(HTTPResponse::HTTP_NOT_FOUND, "");
        if (hasRole && path == prefix + role) {
            ++credentialRequests;
            const Poco::Timestamp now;
            const std::string body =
                "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"" + Poco::DateTimeFormatter::format(now, "%Y-%m-%dT%H:%M:%SZ") +
                "\",\n  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"" + accessKeyId + "\",\n  \"SecretAccessKey\" : \"" + secret +
                "\",\n  \"Token\" : \"" + token + "\",\n  \"Expiration\" : \"" +
                Poco::DateTimeFormatter::format(now + Poco::Timespan(6 * 3600, 0), "%Y-%m-%dT%H:%M:%SZ") + "\"\n}";
            return answer(HTTPResponse::HTTP_OK, body);
        }
        return answer(HTTPResponse::HTTP_NOT_FOUND, "");
    }
};

FakeImds::FakeImds(std::string role, std::string accessKeyId, std::string secretAccessKey, std::string token)
    : state_(std::make_unique<State>()) {
    state_->role = std::move(role);
    state_->accessKeyId = std::move(accessKeyId);
    state_->secret = std::move(secretAccessKey);
    state_->token = std::move(token);
    State* s = state_.get();
    state_->server = std::make_unique<LocalHttpServer>([s](auto& req, auto& resp) { s->handle(req, resp); });
}

FakeImds::~FakeImds() { state_->server.reset(); }

std::string FakeImds::url() const { return state_->server->url(); }

int FakeImds::tokenRequests() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->tokenRequests;
}

int FakeImds::credentialRequests() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->credentialRequests;
}

int FakeImds::refused() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->refused;
}

void FakeImds::removeRole() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->hasRole = false;
}

void FakeImds::setRegion(std::string region) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->region = std::move(region);
}

}  // namespace watchdog::test
