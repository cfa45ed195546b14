// One Discord message per incident, through the real daemon and the local Discord endpoint: the card
// is posted with ?wait=true and edited through warning, failover, outcome, verified, recovered and
// failback while failover and recovered are also posted; a restart keeps editing the same message;
// a card deleted in Discord is posted anew with the whole story; a 429 on an edit is waited out.
#include "DaemonFixture.h"
#include "FakeDiscord.h"

#include <doctest/doctest.h>

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <csignal>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

std::string pipeline(const FakeDiscord& discord, const std::string& extra = "") {
    return "checks:\n"
           "  encoder: { plugin: scripted, file: encoder.txt, interval: 50ms, timeout: 2s }\n"
           "  segments: { plugin: scripted, file: segments.txt, interval: 50ms, timeout: 2s }\n"
           "  backup_stream: { plugin: scripted, file: backup_stream.txt, interval: 50ms, timeout: 2s }\n"
           "actions:\n"
           "  discord: { plugin: discord_notify, webhook_url: \"" +
           discord.webhookUrl() + "\", retry_backoff: 20ms, max_backoff: 100ms" + extra +
           " }\n"
           "  notes: { plugin: recorder, file: notes.jsonl }\n"
           "  backup: { plugin: recorder, file: backup.jsonl, role: remedy }\n"
           "rules:\n"
           "  failover:\n"
           "    when: 2 of [encoder, segments]\n"
           "    warn: [discord, notes]\n"
           "    wait: 100ms\n"
           "    then: [backup, discord]\n"
           "    recover: [discord, notes]\n"
           "    verify: { checks: [backup_stream], within: 30s }\n"
           "    failback: { after: 200ms, then: [discord, notes] }\n"
           "sinks:\n"
           "  - plugin: sink_only\n";
}

void healthy(DaemonFixture& f) {
    f.script("encoder", "pass");
    f.script("segments", "pass");
    f.script("backup_stream", "fail no backup");
}

void encoderDies(DaemonFixture& f) {
    f.script("encoder", "fail 0 sources");
    f.script("segments", "fail newest segment 20 s old");
}

/// The command that runs the pipeline posting to `discord` (`extra` card keys), every check healthy.
std::vector<std::string> healthyRun(DaemonFixture& f, const FakeDiscord& discord, const std::string& extra = "") {
    healthy(f);
    return f.command("run", {f.writePipeline(pipeline(discord, extra))});
}

/// The encoder dies; true once the remedy's outcome is recorded.
bool failsOver(DaemonFixture& f) {
    encoderDies(f);
    return f.waitForEvent("notes.jsonl", "outcome");
}

/// The titles of a message's embeds and its timeline text.
std::string titles(const std::string& body) {
    if (body.empty()) return "";
    Poco::JSON::Parser parser;
    auto embeds = parser.parse(body).extract<Poco::JSON::Object::Ptr>()->getArray("embeds");
    std::string out;
    for (std::size_t i = 0; embeds && i < embeds->size(); ++i)
        out += embeds->getObject(static_cast<unsigned>(i))->optValue<std::string>("title", "") + "\n";
    return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int postsWith(const FakeDiscord& discord, const std::string& part) {
    const auto m = discord.messages();
    return static_cast<int>(std::count_if(m.begin(), m.end(), [&](const std::string& b) { return has(b, part); }));
}

std::string describe(const FakeDiscord& discord) {
    std::string all;
    for (const auto& r : discord.requests())
        all += r.method + " " + std::to_string(r.status) + " " + r.error + " " + r.body.substr(0, 200) + "\n";
    return all;
}

}  // namespace

TEST_CASE("one card per incident: posted with wait=true, edited through every step; failover and recovered also posted") {
    DaemonFixture f;
    FakeDiscord discord;
    ChildProcess daemon(healthyRun(f, discord));
    INFO(daemon.output());
    INFO(describe(discord));
    REQUIRE(failsOver(f));
    f.script("backup_stream", "pass");
    REQUIRE(f.waitForEvent("notes.jsonl", "verified"));
    healthy(f);
    f.script("backup_stream", "pass");
    REQUIRE(f.waitForEvent("notes.jsonl", "failback"));
    REQUIRE(
        waitUntil([&] { return has(discord.message(discord.messageIds().empty() ? "" : discord.messageIds()[0]), "Failing back"); }, 10s));
    REQUIRE(stopsCleanly(daemon, SIGTERM, 10s));

    // One card: the only message posted with wait=true, every edit on it.
    REQUIRE(discord.messageIds().size() == 1);
    const std::string card = discord.messageIds()[0];
    CHECK(discord.edits().size() >= 5);
    for (const auto& [id, body] : discord.edits()) CHECK(id == card);
    for (const auto& r : discord.requests()) {
        if (r.method != "PATCH") continue;
        CHECK(r.status == 200);
        CHECK(has(r.path, "/api/v10/webhooks/" + discord.id() + "/" + discord.token() + "/messages/" + card));
    }
    const std::string first = discord.messages()[0];
    CHECK(has(first, "failover countdown started"));
    CHECK(has(discord.requests()[0].path, "?wait=true"));
    // The card moved through the incident: each step became the top embed once, in order.
    std::vector<std::string> tops;
    for (const auto& [id, body] : discord.edits()) tops.push_back(titles(body).substr(0, titles(body).find('\n')));
    const std::vector<std::string> wanted{"Failover: starting the backup", "Remedy backup succeeded", "Backup on air", "Recovered",
                                          "Failing back to the primary"};
    std::size_t at = 0;
    for (const auto& top : tops)
        if (at < wanted.size() && has(top, wanted[at])) ++at;
    CHECK(at == wanted.size());
    // The card is the record: its timeline lists every step.
    const std::string now = discord.message(card);
    for (const auto& step : {"failover countdown started", "Failover: starting the backup", "Remedy backup succeeded", "Backup on air",
                             "Recovered", "Failing back to the primary"})
        CHECK(has(now, step));
    CHECK(has(now, "Incident failover: 6 events"));
    // Phones still ring for the failover and the recovery: posted on their own too (without wait).
    CHECK(postsWith(discord, "Failover: starting the backup") == 1);
    CHECK(postsWith(discord, "Recovered") == 1);
    CHECK(postsWith(discord, "Backup on air") == 0);
    CHECK(discord.messages().size() == 3);
    // The card's id is kept beside the daemon's state file.
    Poco::JSON::Parser parser;
    auto cards = parser.parse(readFile(f.dir().file("discord_notify-discord.json"))).extract<Poco::JSON::Object::Ptr>()->getArray("cards");
    REQUIRE(cards->size() == 1);
    CHECK(cards->getObject(0)->getValue<std::string>("message_id") == card);
}

TEST_CASE("a restart mid-incident keeps editing the same card") {
    DaemonFixture f;
    FakeDiscord discord;
    healthy(f);
    const std::string file = f.writePipeline(pipeline(discord));
    std::string card;
    {
        ChildProcess daemon(f.command("run", {file}));
        INFO(daemon.output());
        REQUIRE(failsOver(f));
        REQUIRE(waitUntil(
            [&] { return has(discord.message(discord.messageIds().empty() ? "" : discord.messageIds()[0]), "Remedy backup"); }, 10s));
        card = discord.messageIds()[0];
        REQUIRE(stopsCleanly(daemon, SIGTERM, 10s));
    }
    ChildProcess daemon(f.command("run", {file}));
    INFO(daemon.output());
    INFO(describe(discord));
    healthy(f);
    REQUIRE(f.waitForEvent("notes.jsonl", "recovered"));
    REQUIRE(waitUntil([&] { return has(discord.message(card), "Recovered"); }, 10s));
    REQUIRE(stopsCleanly(daemon, SIGTERM, 10s));
    CHECK(discord.messageIds() == std::vector<std::string>{card});
    const std::string now = discord.message(card);
    CHECK(has(now, "failover countdown started"));
    CHECK(has(now, "Remedy backup succeeded"));
}

TEST_CASE("a card deleted in Discord: the 404 is logged and a new card carries the whole story") {
    DaemonFixture f;
    FakeDiscord discord;
    ChildProcess daemon(healthyRun(f, discord));
    INFO(daemon.output());
    INFO(describe(discord));
    REQUIRE(failsOver(f));
    REQUIRE(waitUntil([&] { return !discord.messageIds().empty(); }, 10s));
    const std::string gone = discord.messageIds()[0];
    discord.deleteMessage(gone);
    healthy(f);
    REQUIRE(f.waitForEvent("notes.jsonl", "recovered"));
    REQUIRE(waitUntil([&] { return discord.messageIds().size() == 2 && has(discord.message(discord.messageIds()[1]), "Recovered"); }, 10s));
    REQUIRE(stopsCleanly(daemon, SIGTERM, 10s));
    const auto requests = discord.requests();
    CHECK(std::any_of(requests.begin(), requests.end(), [](const DiscordRequest& r) { return r.method == "PATCH" && r.status == 404; }));
    const std::string fresh = discord.message(discord.messageIds()[1]);
    CHECK(has(fresh, "failover countdown started"));
    CHECK(has(fresh, "Recovered"));
    CHECK(has(daemon.output(), "(message " + gone + ") was deleted in Discord; posting a new card"));
}

TEST_CASE("a 429 on an edit: Retry-After is waited out and the edit goes through, nothing lost") {
    DaemonFixture f;
    FakeDiscord discord;
    ChildProcess daemon(healthyRun(f, discord, ", also_post: []"));
    INFO(daemon.output());
    INFO(describe(discord));
    encoderDies(f);
    REQUIRE(waitUntil([&] { return !discord.messageIds().empty(); }, 10s));
    discord.rateLimitNextEdits(2, 0.15);
    REQUIRE(f.waitForEvent("notes.jsonl", "outcome"));
    healthy(f);
    REQUIRE(f.waitForEvent("notes.jsonl", "recovered"));
    const std::string card = discord.messageIds()[0];
    REQUIRE(waitUntil([&] { return has(discord.message(card), "Recovered"); }, 10s));
    REQUIRE(stopsCleanly(daemon, SIGTERM, 10s));
    const auto requests = discord.requests();
    const auto limited =
        std::count_if(requests.begin(), requests.end(), [](const DiscordRequest& r) { return r.method == "PATCH" && r.status == 429; });
    CHECK(limited == 2);
    CHECK(discord.messages().size() == 1);  // also_post: [] posts nothing but the card
    const std::string now = discord.message(card);
    for (const auto& step : {"failover countdown started", "Failover: starting the backup", "Remedy backup succeeded", "Recovered"})
        CHECK(has(now, step));
    CHECK(has(daemon.output(), "HTTP 429 (rate limited); retrying in 150 ms"));
}
