// migrate-env's pipeline and the packaged default pipeline pass the real `encoder-watchdog validate`,
// which loads every plugin they name and checks every option.
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

}  // namespace

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
