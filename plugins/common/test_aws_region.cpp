// The region chain: AWS_REGION, AWS_DEFAULT_REGION, the profile in the shared files, then IMDSv2.
#include "AwsRegion.h"

#include "FakeEc2.h"
#include "FakeEnvironment.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>

using namespace watchdog::common;
using watchdog::test::fakeEnvironment;
using watchdog::test::ScopedVariable;
using watchdog::test::TempDir;

namespace {

RegionSources isolated(std::map<std::string, std::string> env) {
    RegionSources s;
    s.environment = fakeEnvironment(std::move(env));
    s.instanceMetadata = false;
    return s;
}

}  // namespace

TEST_CASE("AWS_REGION wins over AWS_DEFAULT_REGION, which wins over the profile") {
    TempDir dir;
    dir.write("home/.aws/config", "[default]\nregion = eu-west-1\n");
    const std::string home = dir.file("home");
    RegionResult r = resolveRegion(isolated({{"HOME", home}, {"AWS_REGION", "eu-west-2"}, {"AWS_DEFAULT_REGION", "us-east-1"}}));
    CHECK(r.region == "eu-west-2");
    CHECK(r.source == "AWS_REGION");
    CHECK(r.tried.empty());

    r = resolveRegion(isolated({{"HOME", home}, {"AWS_DEFAULT_REGION", "us-east-1"}}));
    CHECK(r.region == "us-east-1");
    CHECK(r.source == "AWS_DEFAULT_REGION");
    CHECK(r.tried == std::vector<std::string>{"AWS_REGION: not set"});

    r = resolveRegion(isolated({{"HOME", home}, {"AWS_REGION", ""}}));
    CHECK(r.region == "eu-west-1");
    CHECK(r.source == home + "/.aws/config [default]");
    CHECK(r.tried == std::vector<std::string>{"AWS_REGION: empty", "AWS_DEFAULT_REGION: not set"});
}

TEST_CASE("the profile's region: AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, credentials over config") {
    TempDir dir;
    const std::string config = dir.write("cfg", "[default]\nregion = eu-west-1\n[profile backup]\nregion = us-east-2\n");
    const std::string credentials =
        dir.write("creds", "[backup]\naws_access_key_id = A\naws_secret_access_key = S\n[other]\nregion = ca-central-1\n");
    std::map<std::string, std::string> env{{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}};

    RegionResult r = resolveRegion(isolated(env));
    CHECK(r.region == "eu-west-1");
    CHECK(r.source == config + " [default]");

    env["AWS_PROFILE"] = "backup";
    r = resolveRegion(isolated(env));
    CHECK(r.region == "us-east-2");
    CHECK(r.source == config + " [profile backup]");

    env["AWS_PROFILE"] = "other";
    r = resolveRegion(isolated(env));
    CHECK(r.region == "ca-central-1");
    CHECK(r.source == credentials + " [other]");

    RegionSources chosen = isolated(env);
    chosen.profile = "backup";
    CHECK(resolveRegion(chosen).region == "us-east-2");
}

TEST_CASE("no region anywhere: every place is listed, in order") {
    TempDir dir;
    dir.write("home/.aws/config", "[profile backup]\nregion = us-east-2\n");
    const std::string home = dir.file("home");
    const RegionResult r = resolveRegion(isolated({{"HOME", home}}));
    CHECK_FALSE(r.region);
    CHECK(joinTried(r.tried) == "AWS_REGION: not set; AWS_DEFAULT_REGION: not set; " + home + "/.aws/config: no [default]; " + home +
                                    "/.aws/credentials: no such file; instance metadata: disabled");

    dir.write("home/.aws/credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = S\n");
    CHECK(resolveRegion(isolated({{"HOME", home}})).tried[3] == home + "/.aws/credentials [default]: no region");
    CHECK(resolveRegion(isolated({})).tried[2] == "shared config files: HOME is not set");
}

TEST_CASE("on EC2: the region from the instance metadata service through IMDSv2 (token PUT, then placement/region)") {
    watchdog::test::FakeImds imds("role", "A", "S", "T");
    imds.setRegion("eu-west-2");
    TempDir dir;
    RegionSources s = isolated({{"HOME", dir.path()}});
    s.instanceMetadata = true;
    s.imdsEndpoint = imds.url();
    RegionResult r = resolveRegion(s);
    CHECK(r.region == "eu-west-2");
    CHECK(r.source == "instance metadata (" + imds.url() + ")");
    CHECK(r.tried.size() == 4);
    CHECK(imds.tokenRequests() == 1);
    CHECK(imds.refused() == 0);

    s.environment = fakeEnvironment({{"HOME", dir.path()}, {"AWS_EC2_METADATA_DISABLED", "true"}});
    r = resolveRegion(s);
    CHECK_FALSE(r.region);
    CHECK(r.tried.back() == "instance metadata: disabled");
    CHECK(imds.tokenRequests() == 1);
}

TEST_CASE("the metadata service without a region, or not there at all, is listed as tried") {
    watchdog::test::FakeImds imds("role", "A", "S", "T");
    TempDir dir;
    RegionSources s = isolated({{"HOME", dir.path()}});
    s.instanceMetadata = true;
    s.imdsEndpoint = imds.url();
    RegionResult r = resolveRegion(s);
    CHECK_FALSE(r.region);
    CHECK(r.tried.back() == "instance metadata region answered HTTP 404");

    s.imdsEndpoint = "http://127.0.0.1:" + std::to_string(watchdog::test::freeLoopbackPort());
    s.imdsTimeout = std::chrono::milliseconds(300);
    r = resolveRegion(s);
    CHECK_FALSE(r.region);
    CHECK(r.tried.back().rfind("instance metadata service at " + s.imdsEndpoint + ": ", 0) == 0);
}

TEST_CASE("the process environment is read as it is now: AWS_REGION set by the test, put back after") {
    TempDir dir;
    {
        ScopedVariable region("AWS_REGION", "ap-southeast-2");
        ScopedVariable home("HOME", dir.path().c_str());
        RegionSources s;
        s.instanceMetadata = false;
        const RegionResult r = resolveRegion(s);
        CHECK(r.region == "ap-southeast-2");
        CHECK(r.source == "AWS_REGION");
    }
    {
        ScopedVariable region("AWS_REGION", nullptr);
        ScopedVariable fallback("AWS_DEFAULT_REGION", nullptr);
        ScopedVariable config("AWS_CONFIG_FILE", dir.write("config", "[default]\nregion = eu-south-1\n").c_str());
        ScopedVariable profile("AWS_PROFILE", nullptr);
        RegionSources s;
        s.instanceMetadata = false;
        const RegionResult r = resolveRegion(s);
        CHECK(r.region == "eu-south-1");
        CHECK(r.source == dir.file("config") + " [default]");
    }
}
