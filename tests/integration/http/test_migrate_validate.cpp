// migrate-env's pipeline and the packaged default pipeline pass the real `encoder-watchdog validate`,
// which loads every plugin they name and checks every option.
#include "OldScriptEnv.h"
#include "TestSupport.h"
#include "migrate/MigrateEnv.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace watchdog;

namespace {

const char* const oldEnv = R"(# Old watchdog settings
ICECAST_URL=http://127.0.0.1:8000
ICECAST_USER=admin
ICECAST_PASS="secret pass"
CPU_LOAD_THRESHOLD=20.0
HLS_DIRECTORY=/var/www/hls
MAX_TS_FILES=20
EXCLUDE_FILES=index.html,live.m3u8
OLD_FILE_THRESHOLD=900
WAIT_TIME_BEFORE_BACKUP=300
AWS_BACKUP_INSTANCE_ID=i-0123456789abcdef0
AWS_REGION=eu-west-2
DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/123/token
DISCORD_UPDATE_INTERVAL=3600
MYSQL_HOST=127.0.0.1
MYSQL_USER=watchdog
MYSQL_PASSWORD=dbpass
MYSQL_DATABASE=watchdog
)";

std::pair<int, std::string> validate(const std::string& pipeline, std::map<std::string, std::string> env = {}) {
    REQUIRE_MESSAGE(!test::readFile(test::watchdogBinary()).empty(), "build encoder-watchdog first: " << test::watchdogBinary());
    return test::runCommand({test::watchdogBinary(), "validate", pipeline}, std::chrono::seconds(30), std::move(env));
}

struct Verb {
    int code = 0;
    std::string out, err;
};

/// `encoder-watchdog migrate-env ENV` with the AWS variables cleared (set empty: the child inherits the rest),
/// IMDS off and HOME at `home`, plus `env`.
Verb migrateEnvVerb(const test::TempDir& dir, const std::string& envPath, const std::string& home,
                    std::map<std::string, std::string> env = {}) {
    std::map<std::string, std::string> vars{{"HOME", home},
                                            {"AWS_REGION", ""},
                                            {"AWS_DEFAULT_REGION", ""},
                                            {"AWS_PROFILE", ""},
                                            {"AWS_CONFIG_FILE", ""},
                                            {"AWS_SHARED_CREDENTIALS_FILE", ""},
                                            {"AWS_EC2_METADATA_DISABLED", "true"}};
    for (auto& [k, v] : env) vars[k] = v;
    auto [code, output] = test::runCommand({"sh", "-c", "\"$0\" migrate-env \"$1\" > \"$2\" 2> \"$3\"", test::watchdogBinary(), envPath,
                                            dir.file("out.yaml"), dir.file("err.txt")},
                                           std::chrono::seconds(30), vars);
    return {code, test::readFile(dir.file("out.yaml")), test::readFile(dir.file("err.txt"))};
}

}  // namespace

TEST_CASE("the migrate-env verb on the script's sample .env, filled in: exit 0, the region of ~/.aws/config, and it validates") {
    test::TempDir dir;
    dir.write("home/.aws/config", "[default]\nregion = eu-west-2\n");
    std::string env = test::oldScriptEnvWithInstance("i-0123456789abcdef0");
    env.replace(env.find("webhooks/"), 9, "webhooks/123/token");
    const Verb v = migrateEnvVerb(dir, dir.write("old/.env", env), dir.file("home"));
    INFO(v.out);
    CHECK(v.err == "");
    CHECK(v.code == 0);
    CHECK(v.out.find("    region: eu-west-2   # from " + dir.file("home") + "/.aws/config [default]\n") != std::string::npos);
    auto [code, output] = validate(dir.write("pipeline.yaml", v.out));
    INFO(output);
    CHECK(code == 0);
}

TEST_CASE("the migrate-env verb with AWS_REGION in its environment uses it and never says it is not set") {
    test::TempDir dir;
    const Verb v = migrateEnvVerb(dir, dir.write(".env", test::oldScriptEnvWithInstance("i-0123456789abcdef0")), dir.path(),
                                  {{"AWS_REGION", "ap-southeast-2"}});
    CHECK(v.code == 0);
    CHECK(v.err == "");
    CHECK(v.out.find("    region: ap-southeast-2   # from AWS_REGION in migrate-env's environment\n") != std::string::npos);
}

TEST_CASE("the migrate-env verb with no region anywhere exits 0 and says where it looked") {
    test::TempDir dir;
    const Verb v = migrateEnvVerb(dir, dir.write(".env", test::oldScriptEnvWithInstance("i-0123456789abcdef0")), dir.path());
    CHECK(v.code == 0);
    CHECK(v.err ==
          "migrate-env: no AWS region found for actions.backup (looked in AWS_REGION: empty; AWS_DEFAULT_REGION: empty; " + dir.path() +
              "/.aws/config: no such file; " + dir.path() +
              "/.aws/credentials: no such file; instance metadata: disabled): aws_start looks again in AWS_REGION, "
              "AWS_DEFAULT_REGION, the AWS profile and the instance metadata when it starts; add region: to actions.backup to fix it\n");
    CHECK(v.out.find("    # region: none found when migrating; aws_start looks again when it starts\n") != std::string::npos);
}

TEST_CASE("the migrate-env verb refuses a binary file in one line") {
    test::TempDir dir;
    const std::string path = dir.write("encoder-watchdog.bin", std::string("\x7f"
                                                                           "ELF\x02\x01\x01\0\0",
                                                                           9));
    const Verb v = migrateEnvVerb(dir, path, dir.path());
    CHECK(v.code == 1);
    CHECK(v.out == "");
    CHECK(v.err == "migrate-env: " + path +
                       " is not a .env file: it contains control characters (line 1), so it is binary data; "
                       "give the old script's .env (KEY=VALUE lines)\n");
}

TEST_CASE("the pipeline migrate-env makes from the old script's .env passes validate") {
    test::TempDir dir;
    const std::string envPath = dir.write("old/.env", oldEnv);
    std::ostringstream out, err;
    CHECK(migrateEnv(envPath, out, err) == 0);
    CHECK(err.str().empty());
    const std::string pipeline = dir.write("pipeline.yaml", out.str());
    auto [code, output] = validate(pipeline);
    INFO(out.str());
    INFO(output);
    CHECK(code == 0);
    CHECK(output.find("secret pass") == std::string::npos);
    CHECK(output.find("dbpass") == std::string::npos);
}

TEST_CASE("the migrate-env verb prints the same pipeline and exits 1 with the list of what it could not map") {
    test::TempDir dir;
    const std::string envPath = dir.write(".env", std::string(oldEnv) + "SLACK_CHANNEL=#radio\n");
    std::ostringstream expected, expectedErr;
    CHECK(migrateEnv(envPath, expected, expectedErr) == 1);
    auto [code, output] = test::runCommand({"sh", "-c", "\"$0\" migrate-env \"$1\" > \"$2\" 2> \"$3\"", test::watchdogBinary(), envPath,
                                            dir.file("out.yaml"), dir.file("err.txt")},
                                           std::chrono::seconds(30));
    INFO(test::readFile(dir.file("err.txt")));
    CHECK(code == 1);
    CHECK(test::readFile(dir.file("out.yaml")) == expected.str());
    CHECK(test::readFile(dir.file("err.txt")).find("SLACK_CHANNEL (line 19): unknown setting, not mapped") != std::string::npos);
}

TEST_CASE("the packaged default pipeline passes validate with the example secrets") {
    const std::string pipeline = test::sourceDir() + "/packaging/pipeline.yaml";
    auto [code, output] = validate(pipeline, {{"ICECAST_PASS", "x"},
                                              {"DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/1/t"},
                                              {"AWS_BACKUP_INSTANCE_ID", "i-00000000000000000"}});
    INFO(output);
    CHECK(code == 0);
}
