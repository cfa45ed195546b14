// configure(): every bad option is one clear line naming file:line:col and the key.
#include "aws_start_action.h"

#include "config/ConfigNode.h"

#include <doctest/doctest.h>

#include <map>

namespace {

std::string configureError(const std::string& yaml, std::map<std::string, std::string> env = {}) {
    watchdog::Options options(watchdog::parseYaml(yaml, "pipeline.yaml"), "actions.backup", "/tmp");
    watchdog::AwsStartAction action;
    action.setEnvironment([env](const std::string& n) -> std::optional<std::string> {
        auto it = env.find(n);
        if (it == env.end()) return std::nullopt;
        return it->second;
    });
    try {
        action.configure(options);
        options.rejectUnknownKeys();
    } catch (const watchdog::ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a complete block configures, with the region from options or the environment") {
    CHECK(configureError("instance_id: i-0123456789abcdef0\nregion: eu-west-2\n") == "");
    CHECK(configureError("instance_id: i-01234567\n", {{"AWS_REGION", "us-east-1"}}) == "");
    CHECK(configureError("instance_id: i-01234567\n", {{"AWS_DEFAULT_REGION", "ap-southeast-2"}}) == "");
    CHECK(configureError("instance_id: i-01234567\nregion: us-gov-west-1\nendpoint: http://127.0.0.1:9999\n"
                         "access_key_id: AKIA\nsecret_access_key: s\nsession_token: t\nprofile: backup\n"
                         "credentials_file: creds\ninstance_role: false\nimds_endpoint: http://127.0.0.1:1\nimds_timeout: 200ms\n"
                         "request_timeout: 3s\nattempts: 2\nretry_backoff: 100ms\npoll_interval: 1s\nmax_wait: 2m\n") == "");
}

TEST_CASE("an instance id in the wrong form") {
    CHECK(configureError("instance_id: i-xyz\nregion: eu-west-2\n") ==
          "pipeline.yaml:1:14: actions.backup.instance_id: 'i-xyz' is not an EC2 instance id (i- and 8 or 17 hex digits, e.g. "
          "i-0123456789abcdef0)");
    CHECK(configureError("instance_id: 0123456789abcdef0\nregion: eu-west-2\n").find("is not an EC2 instance id") != std::string::npos);
    CHECK(configureError("region: eu-west-2\n").find("actions.backup.instance_id") != std::string::npos);
}

TEST_CASE("a missing or malformed region") {
    CHECK(configureError("instance_id: i-01234567\n") ==
          "pipeline.yaml:1:1: actions.backup.region: no region: set region (e.g. eu-west-2), AWS_REGION or AWS_DEFAULT_REGION");
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west\n") ==
          "pipeline.yaml:2:9: actions.backup.region: 'eu-west' is not an AWS region (e.g. eu-west-2, us-east-1)");
}

TEST_CASE("a bad endpoint, half the keys, or an unknown option") {
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\nendpoint: ftp://x\n").find(
              "actions.backup.endpoint: 'ftp://x' is not an http(s) URL") != std::string::npos);
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\naccess_key_id: AKIA\n").find(
              "actions.backup.secret_access_key: access_key_id and secret_access_key must be given together") != std::string::npos);
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\nsecret_access_key: ${NOPE}x\n").find(
              "access_key_id and secret_access_key must be given together") != std::string::npos);
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\nattempts: 0\n").find("actions.backup.attempts") != std::string::npos);
    CHECK(configureError("instance_id: i-01234567\nregion: eu-west-2\nmax_wiat: 1m\n").find("max_wiat") != std::string::npos);
}
