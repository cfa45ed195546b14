#pragma once

// A local EC2 Query API endpoint (API version 2016-11-15) for tests: it checks Signature V4 the way
// AWS does (recomputes the signature with the known secret), keeps instance state, answers with
// EC2's XML (including errors and throttling) and records every call in order.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace watchdog::test {

/// One request the fake received, in arrival order.
struct Ec2Call {
    std::string action;                         ///< "DescribeInstances", "StartInstances", "StopInstances" ("" if unreadable)
    std::map<std::string, std::string> params;  ///< every form/query parameter (Action and Version too)
    int status = 0;                             ///< the HTTP status the fake answered
    std::string errorCode;                      ///< the EC2 error code it answered, "" on success
    std::string accessKeyId;                    ///< from the Credential= part of Authorization
    bool dryRun() const {
        auto it = params.find("DryRun");
        return it != params.end() && it->second == "true";
    }  ///< DryRun=true
};

/// A fake EC2 endpoint on 127.0.0.1 (free port), on Poco's HTTPServer.
class FakeEc2 {
public:
    /// Starts listening; requests must be signed for `region` and service "ec2".
    explicit FakeEc2(std::string region = "us-east-1");
    ~FakeEc2();
    FakeEc2(const FakeEc2&) = delete;
    FakeEc2& operator=(const FakeEc2&) = delete;

    /// "http://127.0.0.1:PORT" (use as the endpoint).
    std::string url() const;
    /// The port it listens on.
    int port() const;
    /// The region it expects in the credential scope.
    const std::string& region() const { return region_; }

    /// Accepts this key pair; with a non-empty token, X-Amz-Security-Token must carry it (and be signed).
    void addCredentials(const std::string& accessKeyId, const std::string& secretAccessKey, const std::string& sessionToken = "");
    /// Adds an instance in `state` ("stopped", "pending", "running", "stopping", "shutting-down", "terminated").
    void addInstance(const std::string& instanceId, const std::string& state, const std::string& publicIp = "203.0.113.7",
                     const std::string& privateIp = "10.0.0.7");
    /// Forces an instance's state (as if something outside changed it).
    void setState(const std::string& instanceId, const std::string& state);
    /// The instance's current state ("" if unknown).
    std::string state(const std::string& instanceId) const;
    /// How many DescribeInstances an instance stays in a transitional state (pending, stopping, shutting-down); default 2.
    void setTransitionDescribes(int describes);
    /// IAM denies `action` (UnauthorizedOperation, HTTP 403; also for DryRun).
    void deny(const std::string& action);
    /// The next `count` signed requests (to `action` only, if given) get `httpStatus` with error `code`
    /// (e.g. 503 RequestLimitExceeded, 500 InternalError); nothing else happens to them.
    void failNext(int count, int httpStatus, const std::string& code, const std::string& action = "");
    /// Shifts the fake's clock: requests whose X-Amz-Date is over 15 min from (now + offset) get RequestExpired.
    void setClockOffset(std::chrono::seconds offset);

    /// Every call so far, in order.
    std::vector<Ec2Call> calls() const;
    /// Calls to `action` (all attempts, whatever the answer).
    int count(const std::string& action) const;
    /// Calls to `action` that were answered 200 and were not DryRun: e.g. "exactly one StartInstances".
    int succeeded(const std::string& action) const;
    /// Forgets the recorded calls.
    void clearCalls();

private:
    struct State;
    std::string region_;
    std::unique_ptr<State> state_;
};

/// A fake instance metadata service (IMDSv2 only): PUT /latest/api/token with the TTL header, then
/// GET /latest/meta-data/iam/security-credentials/ and .../ROLE, and .../placement/region, with the token header.
class FakeImds {
public:
    /// Serves one role with these credentials (Expiration six hours ahead).
    FakeImds(std::string role, std::string accessKeyId, std::string secretAccessKey, std::string token);
    ~FakeImds();
    FakeImds(const FakeImds&) = delete;
    FakeImds& operator=(const FakeImds&) = delete;

    /// "http://127.0.0.1:PORT" (use as imds_endpoint).
    std::string url() const;
    /// Token PUTs received (valid or not).
    int tokenRequests() const;
    /// Credential document GETs answered 200.
    int credentialRequests() const;
    /// Requests refused for a missing or wrong token (401) or a missing/bad TTL header (400).
    int refused() const;
    /// No role attached: the role list answers 404.
    void removeRole();
    /// Answers /latest/meta-data/placement/region with `region` (404 until set).
    void setRegion(std::string region);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace watchdog::test
