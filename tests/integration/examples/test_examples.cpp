// The pipelines shipped in examples/ and packaging/ load and pass `validate` with the real plugins.
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <fstream>
#include <regex>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

const std::map<std::string, std::string> kSecrets{{"ICECAST_PASS", "x"},
                                                  {"DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/1/abc"},
                                                  {"AWS_BACKUP_INSTANCE_ID", "i-0123456789abcdef0"},
                                                  {"DB_PASS", "x"},
                                                  {"STATUS_TOKEN", "t"},
                                                  {"ICECAST_ADMIN_PASSWORD", "x"}};

std::pair<int, std::string> validate(const std::string& pipeline) {
    return runCommand({watchdogBinary(), "validate", pipeline}, 30s, kSecrets);
}

}  // namespace

TEST_CASE("examples/station.yaml is valid, its dead-air check and rule included") {
    auto [code, out] = validate(sourceDir() + "/examples/station.yaml");
    INFO(out);
    CHECK(code == 0);
    CHECK(out.find("valid (5 checks, 2 actions, 2 sinks, 5 rules)") != std::string::npos);

    // The audio block is read by the real plugin: a wrong option in it is refused at its line.
    TempDir dir;
    const std::string text = readFile(sourceDir() + "/examples/station.yaml");
    REQUIRE(text.find("    max_silence: 30s") != std::string::npos);
    const std::string bad =
        dir.write("station.yaml", std::regex_replace(text, std::regex("    max_silence: 30s"), "    max_silence: loud"));
    std::tie(code, out) = validate(bad);
    CHECK(code != 0);
    CHECK(out.find("checks.audio.max_silence") != std::string::npos);
}

TEST_CASE("the demo pipeline is valid once scripts/demo.sh fills it in") {
    TempDir dir;
    std::string text = readFile(sourceDir() + "/examples/demo/pipeline.yaml.in");
    text = std::regex_replace(text, std::regex("@WORK@"), dir.path());
    text = std::regex_replace(text, std::regex("@ICECAST_PORT@"), "18000");
    text = std::regex_replace(text, std::regex("@STATUS_PORT@"), "19480");
    dir.write(".env", "ICECAST_ADMIN_PASSWORD=x\nDISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/abc\n");
    const std::string pipeline = dir.write("pipeline.yaml", text);
    auto [code, out] = validate(pipeline);
    INFO(out);
    CHECK(code == 0);
}

TEST_CASE("the packaged default pipeline is valid") {
    auto [code, out] = validate(sourceDir() + "/packaging/pipeline.yaml");
    INFO(out);
    CHECK(code == 0);
}

TEST_CASE("the two-host HA pair in examples/ is valid, and a bad ha: block is refused at its line") {
    auto [code, out] = validate(sourceDir() + "/examples/ha-primary.yaml");
    INFO(out);
    CHECK(code == 0);
    CHECK(out.find("valid (4 checks, 3 actions, 2 sinks, 3 rules)") != std::string::npos);
    std::tie(code, out) = validate(sourceDir() + "/examples/ha-secondary.yaml");
    CHECK(code == 0);
    CHECK(out.find("valid (3 checks, 3 actions, 2 sinks, 3 rules)") != std::string::npos);

    TempDir dir;
    std::string text = readFile(sourceDir() + "/examples/ha-secondary.yaml");
    text = std::regex_replace(text, std::regex("ttl: 15s"), "ttl: 500ms");
    const std::string pipeline = dir.write("pipeline.yaml", text);
    std::tie(code, out) = validate(pipeline);
    CHECK(code != 0);
    CHECK(out.find(pipeline + ":16:8: ha.ttl: must be between 1s and 10m") != std::string::npos);
}
