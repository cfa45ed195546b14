// The instance role through IMDSv2 against FakeImds (token PUT with TTL, role name, role JSON).
#include "AwsCredentials.h"

#include "FakeEc2.h"
#include "IsolatedCredentials.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <map>

using namespace watchdog::aws;
using watchdog::test::fakeEnvironment;
using watchdog::test::isolatedCredentials;
using watchdog::test::TempDir;

TEST_CASE("the instance role through IMDSv2: token PUT with TTL, role name, role credentials") {
    watchdog::test::FakeImds imds("backup-role", "ASIAROLE", "rolesecret", "roletoken");
    TempDir dir;
    auto s = isolatedCredentials({{"HOME", dir.path()}});
    s.instanceRole = true;
    s.imdsEndpoint = imds.url();
    const auto r = resolveCredentials(s);
    REQUIRE(r.credentials);
    CHECK(r.credentials->accessKeyId == "ASIAROLE");
    CHECK(r.credentials->secretAccessKey == "rolesecret");
    CHECK(r.credentials->sessionToken == "roletoken");
    CHECK(r.credentials->source == "instance role backup-role");
    REQUIRE(r.credentials->expiration);
    CHECK(*r.credentials->expiration > std::chrono::system_clock::now() + std::chrono::hours(5));
    CHECK(imds.tokenRequests() == 1);
    CHECK(imds.credentialRequests() == 1);
    CHECK(imds.refused() == 0);
}

TEST_CASE("IMDS: no role attached, AWS_EC2_METADATA_DISABLED, and nothing listening") {
    watchdog::test::FakeImds imds("r", "A", "S", "T");
    imds.removeRole();
    TempDir dir;
    auto s = isolatedCredentials({{"HOME", dir.path()}});
    s.instanceRole = true;
    s.imdsEndpoint = imds.url();
    auto r = resolveCredentials(s);
    CHECK_FALSE(r.credentials);
    CHECK(r.tried.back() == "the instance has no IAM role attached");

    s.environment = fakeEnvironment({{"HOME", dir.path()}, {"AWS_EC2_METADATA_DISABLED", "TRUE"}});
    r = resolveCredentials(s);
    CHECK(r.tried.back() == "instance role: disabled");
    CHECK(imds.tokenRequests() == 1);

    s.environment = fakeEnvironment({{"HOME", dir.path()}});
    s.imdsEndpoint = "http://127.0.0.1:" + std::to_string(watchdog::test::freeLoopbackPort());
    s.imdsTimeout = std::chrono::milliseconds(300);
    r = resolveCredentials(s);
    CHECK_FALSE(r.credentials);
    CHECK(r.tried.back().find("instance metadata service at " + s.imdsEndpoint) == 0);
}
