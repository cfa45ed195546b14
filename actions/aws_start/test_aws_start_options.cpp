// configure(): every bad option is one clear line naming file:line:col and the key.
#include "AwsStartAction.h"

#include "FakeEc2.h"
#include "FakeEnvironment.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>

#include <doctest/doctest.h>

#include <map>

using watchdog::test::fakeEnvironment;

namespace {

std::string configureError(const std::string& yaml, std::map<std::string, std::string> env = {}) {
    watchdog::aws_start::AwsStartAction action;
    action.setEnvironment(fakeEnvironment(std::move(env)));
    try {
        watchdog::testing::configureFrom(action, yaml, "actions.backup");
    } catch (const watchdog::ConfigError& e) {
        return e.what();
    }
    return "";
}

/// The region a configured action reports in its outcome details.
std::string configuredRegion(const std::string& yaml, std::map<std::string, std::string> env) {
    watchdog::aws_start::AwsStartAction action;
    action.setEnvironment(fakeEnvironment(std::move(env)));
    watchdog::testing::configureFrom(action, yaml, "actions.backup");
    return action.region();
}

}  // namespace

TEST_CASE("a complete block configures, with the region from options, AWS_REGION or AWS_DEFAULT_REGION") {
    CHECK(configureError("instance_id: i-0123456789abcdef0\nregion: eu-west-2\n") == "");
    CHECK(configureError("instance_id: i-01234567\n", {{"AWS_REGION", "us-east-1"}}) == "");
    CHECK(configureError("instance_id: i-01234567\n", {{"AWS_DEFAULT_REGION", "ap-southeast-2"}}) == "");
    CHECK(configureError(
              "instance_id: i-01234567\nregion: us-gov-west-1\nendpoint: http://127.0.0.1:9999\n"
              "access_key_id: AKIA\nsecret_access_key: s\nsession_token: t\nprofile: backup\n"
              "credentials_file: creds\nconfig_file: cfg\ninstance_role: false\nimds_endpoint: http://127.0.0.1:1\nimds_timeout: 200ms\n"
              "request_timeout: 3s\nattempts: 2\nretry_backoff: 100ms\npoll_interval: 1s\nmax_wait: 2m\n") == "");
}

TEST_CASE("an instance id in the wrong form") {
    CHECK(configureError("instance_id: i-xyz\nregion: eu-west-2\n") ==
          "pipeline.yaml:1:14: actions.backup.instance_id: 'i-xyz' is not an EC2 instance id (i- and 8 or 17 hex digits, e.g. "
          "i-0123456789abcdef0)");
    CHECK(configureError("instance_id: 0123456789abcdef0\nregion: eu-west-2\n").find("is not an EC2 instance id") != std::string::npos);
    CHECK(configureError("region: eu-west-2\n").find("actions.backup.instance_id") != std::string::npos);
}

TEST_CASE("without region: the profile's region in ~/.aws/config, AWS_CONFIG_FILE, AWS_PROFILE, or config_file") {
    watchdog::test::TempDir dir;
    dir.write("home/.aws/config", "[default]\nregion = eu-west-1\n[profile backup]\nregion = us-east-2\n");
    const std::string home = dir.file("home");
    const std::string other = dir.write("other-config", "[default]\nregion = ca-central-1\n");
    CHECK(configuredRegion("instance_id: i-01234567\n", {{"HOME", home}}) == "eu-west-1");
    CHECK(configuredRegion("instance_id: i-01234567\n", {{"HOME", home}, {"AWS_PROFILE", "backup"}}) == "us-east-2");
    CHECK(configuredRegion("instance_id: i-01234567\nprofile: backup\n", {{"HOME", home}}) == "us-east-2");
    CHECK(configuredRegion("instance_id: i-01234567\n", {{"HOME", home}, {"AWS_CONFIG_FILE", other}}) == "ca-central-1");
    CHECK(configuredRegion("instance_id: i-01234567\nconfig_file: " + other + "\n", {{"HOME", home}}) == "ca-central-1");
    CHECK(configuredRegion("instance_id: i-01234567\n", {{"HOME", home}, {"AWS_DEFAULT_REGION", "ap-south-1"}}) == "ap-south-1");
}

TEST_CASE("without region, on EC2: the region from the instance metadata service") {
    watchdog::test::FakeImds imds("role", "A", "S", "T");
    imds.setRegion("eu-central-1");
    watchdog::test::TempDir dir;
    CHECK(configuredRegion("instance_id: i-01234567\nimds_endpoint: " + imds.url() + "\n", {{"HOME", dir.path()}}) == "eu-central-1");
}

TEST_CASE("no region anywhere: the error lists every place it looked") {
    watchdog::test::TempDir dir;
    CHECK(configureError("instance_id: i-01234567\n", {{"HOME", dir.path()}, {"AWS_EC2_METADATA_DISABLED", "true"}}) ==
          "pipeline.yaml:1:1: actions.backup.region: no region found (looked in AWS_REGION: not set; AWS_DEFAULT_REGION: not set; " +
              dir.path() + "/.aws/config: no such file; " + dir.path() +
              "/.aws/credentials: no such file; instance metadata: disabled): "
              "set region (e.g. eu-west-2), AWS_REGION, or region in the AWS profile");
}

TEST_CASE("a malformed region, given or found") {
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west\n") ==
          "pipeline.yaml:2:9: actions.backup.region: 'eu-west' is not an AWS region (e.g. eu-west-2, us-east-1)");
    watchdog::test::TempDir dir;
    const std::string config = dir.write("config", "[default]\nregion = eu-west-1 # London? no, Ireland\n");
    CHECK(configureError("instance_id: i-01234567\n", {{"AWS_CONFIG_FILE", config}}) ==
          "pipeline.yaml:1:1: actions.backup.region: 'eu-west-1 # London? no, Ireland' (from " + config +
              " [default]) is not an AWS region (e.g. eu-west-2, us-east-1)");
}

TEST_CASE("a bad endpoint, half the keys, or an unknown option") {
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\nendpoint: ftp://x\n")
              .find("actions.backup.endpoint: 'ftp://x' is not an http(s) URL") != std::string::npos);
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\naccess_key_id: AKIA\n")
              .find("actions.backup.secret_access_key: access_key_id and secret_access_key must be given together") != std::string::npos);
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\nsecret_access_key: ${NOPE}x\n")
              .find("access_key_id and secret_access_key must be given together") != std::string::npos);
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\nattempts: 0\n").find("actions.backup.attempts") != std::string::npos);
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\nmax_wiat: 1m\n").find("max_wiat") != std::string::npos);
}
