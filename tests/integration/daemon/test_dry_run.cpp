// A remedy with dry_run: true, run by the real daemon against the local Discord and EC2 endpoints:
// what the people on the channel and at the `history` prompt read says what would have happened,
// never that the backup was started.
#include "DaemonFixture.h"
#include "FakeDiscord.h"
#include "FakeEc2.h"

#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <csignal>
#include <sstream>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

const std::string kInstance = "i-0d1e2a3d4b5e6f708";
const std::string kKey = "AKIDDRYRUNTEST";
const std::string kSecret = "dry-run-secret";

std::string pipeline(const FakeDiscord& discord, const FakeEc2& ec2) {
    return "checks:\n"
           "  encoder: { plugin: scripted, label: Encoder, file: encoder.txt, interval: 50ms }\n"
           "  segments: { plugin: scripted, label: Segments, file: segments.txt, interval: 50ms }\n"
           "actions:\n"
           "  discord: { plugin: discord_notify, webhook_url: \"" +
           discord.webhookUrl() +
           "\" }\n"
           "  backup: { plugin: aws_start, instance_id: " +
           kInstance + ", region: eu-west-2, endpoint: \"" + ec2.url() + "\", access_key_id: " + kKey + ", secret_access_key: " + kSecret +
           ", instance_role: false, dry_run: true }\n"
           "rules:\n"
           "  failover: { when: \"2 of [encoder, segments]\", warn: [discord], wait: 100ms, then: [backup],"
           " recover: [discord] }\n"
           "sinks:\n"
           "  - { plugin: sqlite, path: history.db }\n";
}

int findMessage(const FakeDiscord& discord, const std::string& text) {
    const auto messages = discord.bodies();
    for (std::size_t i = 0; i < messages.size(); ++i)
        if (messages[i].find(text) != std::string::npos) return static_cast<int>(i);
    return -1;
}

}  // namespace

TEST_CASE("a dry-run remedy reads as 'would start i-... (dry run)' in Discord and in history, never as succeeded") {
    DaemonFixture f;
    FakeDiscord discord;
    FakeEc2 ec2("eu-west-2");
    ec2.addCredentials(kKey, kSecret);
    ec2.addInstance(kInstance, "stopped");
    const std::string file = f.writePipeline(pipeline(discord, ec2));
    f.script("encoder", "fail 0 sources");
    f.script("segments", "fail newest segment 20 s old");

    ChildProcess daemon(f.command("run", {file}));
    const std::string said = "would start " + kInstance + " (dry run)";
    INFO("daemon output: " << daemon.output());
    INFO("discord: " << [&] {
        std::string all;
        for (const auto& m : discord.bodies()) all += m + "\n";
        return all;
    }());
    REQUIRE(waitUntil([&] { return findMessage(discord, said) >= 0; }, 20s, 20ms));
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(10s) == 0);

    const std::string outcome = discord.bodies()[static_cast<std::size_t>(findMessage(discord, said))];
    Poco::JSON::Parser parser;
    auto embed = parser.parse(outcome).extract<Poco::JSON::Object::Ptr>()->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xF0\x9F\xA7\xAA Remedy backup: dry run, nothing changed");
    CHECK(embed->getValue<std::string>("description") == said + ": it is stopped and StartInstances would be allowed");
    for (const auto& message : discord.bodies()) CHECK(message.find("succeeded") == std::string::npos);
    CHECK(ec2.state(kInstance) == "stopped");
    CHECK(ec2.succeeded("StartInstances") == 0);

    auto [code, table] = runCommand(f.command("history", {file}), 20s);
    REQUIRE(code == 0);
    INFO(table);
    std::string row;
    std::istringstream lines(table);
    for (std::string line; std::getline(lines, line);)
        if (line.find("event outcome (failover) backup") != std::string::npos) row = line;
    REQUIRE_FALSE(row.empty());
    CHECK(row.find("  dry run  ") != std::string::npos);
    CHECK(row.find(said) != std::string::npos);
    CHECK(row.find(" ok ") == std::string::npos);

    // Machine output keeps the raw facts: ok, the details with dry_run, the duration in milliseconds.
    std::tie(code, table) = runCommand(f.command("history", {file, "--json"}), 20s);
    REQUIRE(code == 0);
    parser.reset();
    auto records = parser.parse(table).extract<Poco::JSON::Object::Ptr>()->getArray("records");
    bool found = false;
    for (std::size_t i = 0; i < records->size(); ++i) {
        auto record = records->getObject(static_cast<unsigned>(i));
        if (record->getValue<std::string>("kind") != "event") continue;
        auto event = record->getObject("event");
        if (event->getValue<std::string>("type") != "outcome") continue;
        found = true;
        CHECK(event->getValue<bool>("ok"));
        CHECK(event->getObject("details")->getValue<std::string>("dry_run") == "allowed");
        CHECK(event->has("duration_ms"));
    }
    CHECK(found);
}
