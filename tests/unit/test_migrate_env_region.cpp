// migrate-env and the AWS region: written with where it came from, or where it looked on stderr.
#include "OldScriptEnv.h"
#include "MigrateEnvRun.h"
#include "TestSupport.h"
#include "migrate/MigrateEnv.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <sstream>

using namespace watchdog;
using watchdog::test::ScopedVariable;

namespace {

const std::string kInstance = "i-0123456789abcdef0";

}  // namespace

TEST_CASE("the region found in the AWS CLI's chain is written with where it came from") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(dir, test::oldScriptEnvWithInstance(kInstance), [](const VariableLookup&) {
        return RegionFinding{std::string("eu-west-1"), "/home/radio/.aws/config [profile backup]", {}};
    });
    CHECK(m.code == 0);
    CHECK(m.errors == "");
    CHECK(m.yaml.find(
              "    instance_id: ${AWS_BACKUP_INSTANCE_ID}\n    region: eu-west-1   # from /home/radio/.aws/config [profile backup]\n") !=
          std::string::npos);

    m = test::migrateEnvText(dir, test::oldScriptEnvWithInstance(kInstance), [](const VariableLookup&) {
        return RegionFinding{std::string("us-east-2"), "instance metadata (http://169.254.169.254)", {}};
    });
    CHECK(m.yaml.find("    region: us-east-2   # from instance metadata (http://169.254.169.254)\n") != std::string::npos);
}

TEST_CASE("no region anywhere: the YAML says so, stderr says where it looked, and the exit code stays 0") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(dir, test::oldScriptEnvWithInstance(kInstance), [](const VariableLookup&) {
        return RegionFinding{std::nullopt,
                             "",
                             {"AWS_REGION: not set", "AWS_DEFAULT_REGION: not set", "/root/.aws/config: no such file",
                              "/root/.aws/credentials: no such file", "instance metadata: disabled"}};
    });
    CHECK(m.code == 0);
    CHECK(m.errors ==
          "migrate-env: no AWS region found for actions.backup (looked in AWS_REGION: not set; AWS_DEFAULT_REGION: not set; "
          "/root/.aws/config: no such file; /root/.aws/credentials: no such file; instance metadata: disabled): aws_start looks "
          "again in AWS_REGION, AWS_DEFAULT_REGION, the AWS profile and the instance metadata when it starts; add region: to "
          "actions.backup to fix it\n");
    CHECK(
        m.yaml.find(
            "    instance_id: ${AWS_BACKUP_INSTANCE_ID}\n    # region: none found when migrating; aws_start looks again when it starts\n") !=
        std::string::npos);
}

TEST_CASE("AWS_REGION in migrate-env's own environment is found, never reported as not set") {
    ScopedVariable region("AWS_REGION", "ap-southeast-2");
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(dir, test::oldScriptEnvWithInstance(kInstance), regionFromVariables);
    CHECK(m.code == 0);
    CHECK(m.errors == "");
    CHECK(m.errors.find("AWS_REGION is not set") == std::string::npos);
    CHECK(m.yaml.find("    region: ap-southeast-2   # from AWS_REGION in migrate-env's environment\n") != std::string::npos);
}

TEST_CASE("the .env's AWS_ settings come first, as the script handed them to the AWS CLI, and become options") {
    ScopedVariable region("AWS_REGION", "ap-southeast-2");
    test::TempDir dir;
    const std::string env = test::oldScriptEnvWithInstance(kInstance) +
                            "# the station's AWS setup\nAWS_DEFAULT_REGION=eu-west-3\nAWS_PROFILE=backup\n"
                            "AWS_CONFIG_FILE=/etc/radio/aws-config\nAWS_SHARED_CREDENTIALS_FILE=/etc/radio/aws-credentials\n"
                            "AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=secret\nAWS_SESSION_TOKEN=token\n";
    std::map<std::string, std::string> seen;
    test::Migrated m = test::migrateEnvText(dir, env, [&seen](const VariableLookup& lookup) {
        for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"})
            seen[name] = lookup(name).value_or("(unset)");
        return RegionFinding{std::string("eu-west-3"), "AWS_DEFAULT_REGION", {"AWS_REGION: not set"}};
    });
    CHECK(m.code == 0);
    CHECK(m.errors == "");
    CHECK(seen["AWS_REGION"] == "ap-southeast-2");
    CHECK(seen["AWS_DEFAULT_REGION"] == "eu-west-3");
    CHECK(seen["AWS_PROFILE"] == "backup");
    CHECK(seen["AWS_CONFIG_FILE"] == "/etc/radio/aws-config");
    CHECK(m.yaml.find("    instance_id: ${AWS_BACKUP_INSTANCE_ID}\n"
                      "    # the station's AWS setup\n"
                      "    region: eu-west-3   # from AWS_DEFAULT_REGION in the .env\n"
                      "    profile: backup\n"
                      "    config_file: /etc/radio/aws-config\n"
                      "    credentials_file: /etc/radio/aws-credentials\n"
                      "    access_key_id: ${AWS_ACCESS_KEY_ID}\n"
                      "    secret_access_key: ${AWS_SECRET_ACCESS_KEY}\n"
                      "    session_token: ${AWS_SESSION_TOKEN}\n") != std::string::npos);
    CHECK(m.yaml.find("AKIAEXAMPLE") == std::string::npos);
}

TEST_CASE("without a finder from the application, the core reads AWS_REGION and AWS_DEFAULT_REGION only") {
    const auto lookup = [](std::map<std::string, std::string> vars) {
        return [vars](const std::string& name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        };
    };
    RegionFinding f = regionFromVariables(lookup({{"AWS_DEFAULT_REGION", "eu-west-1"}}));
    CHECK(f.region == "eu-west-1");
    CHECK(f.source == "AWS_DEFAULT_REGION");
    f = regionFromVariables(lookup({{"AWS_REGION", ""}}));
    CHECK_FALSE(f.region);
    CHECK(f.lookedIn == std::vector<std::string>{"AWS_REGION: empty", "AWS_DEFAULT_REGION: not set"});
}
