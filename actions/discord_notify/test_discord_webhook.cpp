// discord_notify against FakeDiscord: delivery, Discord's 429 and 5xx answers, a hanging server, a
// proxy that trickles its answer, a refused webhook, a burst through the core's action queue, and
// no token in any log line.
#include "DiscordNotifyAction.h"

#include "FakeDiscord.h"
#include "TestSupport.h"
#include "TrickleServer.h"
#include <watchdog/testing/PluginTestKit.h>
#include "engine/ActionRunner.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

using namespace watchdog;
using namespace watchdog::discord_notify;
using watchdog::test::FakeDiscord;
using watchdog::test::RetryAfterIn;
using Ms = std::chrono::milliseconds;

namespace {

// Keeps every log line of the process so tests can look for secrets.
class RecordingChannel : public Poco::Channel {
public:
    void log(const Poco::Message& msg) override {
        std::lock_guard<std::mutex> lock(mutex_);
        lines_.push_back(msg.getText());
    }
    std::vector<std::string> lines() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return lines_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

Poco::AutoPtr<RecordingChannel> recordLogs() {
    Poco::AutoPtr<RecordingChannel> channel(new RecordingChannel);
    Poco::Logger& log = Poco::Logger::get("watchdog.action.discord_notify");
    log.setChannel(channel);
    log.setLevel(Poco::Message::PRIO_DEBUG);
    return channel;
}

// The action with test timings (milliseconds); `overrides` replace or add options.
std::unique_ptr<DiscordNotifyAction> notifier(const std::string& url, std::map<std::string, std::string> overrides = {}) {
    std::map<std::string, std::string> values{
        {"webhook_url", url}, {"request_timeout", "1s"}, {"max_retry_time", "3s"}, {"retry_backoff", "10ms"}, {"max_backoff", "40ms"}};
    for (const auto& [k, v] : overrides) values[k] = v;
    std::string yaml;
    for (const auto& [k, v] : values) yaml += k + ": " + v + "\n";
    auto action = std::make_unique<DiscordNotifyAction>();
    action->configure(testing::optionsFromYaml(yaml, "actions.discord"));
    return action;
}

Event startup() {
    Event e;
    e.type = EventType::Startup;
    e.time = std::chrono::system_clock::now();
    e.pipeline = "station-eu";
    return e;
}

Event numbered(int i) {
    Event e;
    e.type = EventType::Shutdown;  // renders its summary as the content
    e.summary = "message " + std::to_string(i);
    return e;
}

ActionContext context(const std::atomic<bool>* stopping = nullptr) { return ActionContext{"discord", "Discord", false, stopping}; }

std::string contentOf(const std::string& body) {
    Poco::JSON::Parser p;
    return p.parse(body).extract<Poco::JSON::Object::Ptr>()->optValue<std::string>("content", "");
}

bool mentionsToken(const Outcome& o, const std::string& token) {
    if (o.summary.find(token) != std::string::npos) return true;
    for (const auto& [k, v] : o.details)
        if (v.find(token) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("a message is posted to the v10 path as JSON with a DiscordBot user agent and accepted") {
    FakeDiscord discord;
    auto action = notifier(discord.webhookUrl());
    const Event e = startup();
    const Outcome o = action->execute(e, context());
    CHECK(o.ok);
    CHECK(o.summary == "startup message delivered");
    REQUIRE(discord.messageCount() == 1);
    CHECK(contentOf(discord.messages()[0]) ==
          "The monitoring bot has restarted at " + toLocalSeconds(e.time) + " and is now actively monitoring.");
    const auto r = discord.requests().at(0);
    CHECK(r.path == "/api/v10/webhooks/" + discord.id() + "/" + discord.token());
    CHECK(r.contentType == "application/json");
    CHECK(r.userAgent.rfind("DiscordBot (", 0) == 0);
    CHECK(r.status == 204);
    CHECK_FALSE(mentionsToken(o, discord.token()));
}

TEST_CASE("on 429 it waits retry_after from the JSON body, or the Retry-After header, then succeeds") {
    FakeDiscord discord;
    auto logs = recordLogs();
    auto action = notifier(discord.webhookUrl());
    discord.rateLimitNext(1, 0.25, RetryAfterIn::Body);
    Outcome o = action->execute(numbered(1), context());
    CHECK(o.ok);
    CHECK(o.summary == "shutdown message delivered after 2 attempts");
    auto requests = discord.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].status == 429);
    CHECK(requests[1].status == 204);
    CHECK(requests[1].received - requests[0].received >= Ms(250));
    bool logged = false;
    for (const auto& line : logs->lines()) logged |= line.find("HTTP 429 (rate limited); retrying in 250 ms") != std::string::npos;
    CHECK(logged);

    discord.clear();
    discord.rateLimitNext(1, 0.2, RetryAfterIn::Header);  // the header carries whole seconds: 1
    o = action->execute(numbered(2), context());
    CHECK(o.ok);
    requests = discord.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].received - requests[0].received >= Ms(1000));
    CHECK(contentOf(discord.messages().at(0)) == "message 2");
}

TEST_CASE("a retry_after longer than max_retry_time gives up at once with a clear outcome") {
    FakeDiscord discord;
    auto action = notifier(discord.webhookUrl());
    discord.rateLimitNext(1, 90, RetryAfterIn::Both, true);
    const Outcome o = action->execute(numbered(1), context());
    CHECK_FALSE(o.ok);
    CHECK(o.summary.find("Discord shutdown message not delivered: gave up after 1 attempt in ") == 0);
    INFO(o.summary);
    CHECK(o.summary.find("HTTP 429 (rate limited, global); Discord asked to wait 1 min 30 s") != std::string::npos);
    CHECK(discord.requests().size() == 1);
}

TEST_CASE("5xx answers are retried with backoff until Discord accepts") {
    FakeDiscord discord;
    auto action = notifier(discord.webhookUrl());
    discord.failNext(2, 500);
    discord.failNext(1, 503);
    const Outcome o = action->execute(numbered(1), context());
    CHECK(o.ok);
    CHECK(o.summary == "shutdown message delivered after 4 attempts");
    const auto requests = discord.requests();
    REQUIRE(requests.size() == 4);
    CHECK(requests[0].status == 500);
    CHECK(requests[2].status == 503);
    // Backoff 10ms, 20ms, 40ms.
    CHECK(requests[1].received - requests[0].received >= Ms(10));
    CHECK(requests[3].received - requests[2].received >= Ms(40));
    CHECK(discord.messageCount() == 1);
}

TEST_CASE("a Discord that never answers times out each attempt and ends in a failure outcome") {
    FakeDiscord discord;
    auto logs = recordLogs();
    auto action = notifier(discord.webhookUrl(), {{"request_timeout", "150ms"}, {"max_retry_time", "400ms"}, {"max_backoff", "20ms"}});
    discord.hangNext(100);
    const Outcome o = action->execute(numbered(1), context());
    CHECK_FALSE(o.ok);
    CHECK(o.summary.find("Discord shutdown message not delivered: gave up after ") == 0);
    CHECK(o.summary.find(": no answer within 150 ms") != std::string::npos);
    CHECK(discord.requests().size() >= 2);
    CHECK(discord.messageCount() == 0);
    CHECK_FALSE(mentionsToken(o, discord.token()));
    for (const auto& line : logs->lines()) CHECK(line.find(discord.token()) == std::string::npos);
}

TEST_CASE("a proxy trickling the answer one byte every 200 ms cannot stretch an attempt past request_timeout") {
    const std::string answer = test::TrickleServer::okAnswer("{\"id\": \"1\", \"content\": \"message 1\"}", "application/json");
    struct Case {
        const char* trickled;
        std::size_t atOnce;
    };
    for (const Case& c : {Case{"the status line", 0}, Case{"the headers", test::TrickleServer::statusLineLength(answer)},
                          Case{"the body", test::TrickleServer::headLength(answer) + 5}}) {
        CAPTURE(c.trickled);
        test::TrickleServer proxy({answer, c.atOnce, Ms(200), 0});
        auto action = notifier(proxy.url() + "/api/webhooks/1/trickle-token", {{"request_timeout", "500ms"}, {"max_retry_time", "300ms"}});
        const Outcome o = action->execute(numbered(1), context());
        CHECK_FALSE(o.ok);
        CHECK(o.summary.find("Discord shutdown message not delivered: gave up after 1 attempt in ") == 0);
        CHECK(o.summary.find(": no answer within 500 ms") != std::string::npos);
        CHECK(o.summary.find("trickle-token") == std::string::npos);
        CHECK(proxy.bytesSent() < answer.size());
    }
}

TEST_CASE("when the daemon stops, a hung delivery returns promptly") {
    FakeDiscord discord;
    auto action = notifier(discord.webhookUrl(),
                           {{"request_timeout", "200ms"}, {"max_retry_time", "10m"}, {"retry_backoff", "10s"}, {"max_backoff", "10s"}});
    discord.hangNext(1);
    std::atomic<bool> stopping{false};
    std::atomic<bool> done{false};
    Outcome o;
    std::thread worker([&] {
        o = action->execute(numbered(1), context(&stopping));
        done = true;
    });
    CHECK(discord.waitForRequests(1, Ms(5000)));
    stopping = true;
    CHECK(test::waitUntil([&] { return done.load(); }, Ms(5000)));
    worker.join();
    CHECK_FALSE(o.ok);
    CHECK(o.summary.find("the watchdog is stopping") != std::string::npos);
}

TEST_CASE("a deleted webhook (404) or a wrong token (401) fails at once without retrying or leaking the token") {
    FakeDiscord discord;
    auto logs = recordLogs();
    const std::string wrongId = discord.baseUrl() + "/api/webhooks/999/" + discord.token();
    Outcome o = notifier(wrongId)->execute(numbered(1), context());
    CHECK_FALSE(o.ok);
    CHECK(o.summary ==
          "Discord shutdown message not delivered: webhook 999 does not exist (HTTP 404 (10015 Unknown Webhook)); "
          "create a new webhook and update webhook_url");
    CHECK(discord.requests().size() == 1);
    CHECK_FALSE(mentionsToken(o, discord.token()));

    const std::string wrongToken = discord.baseUrl() + "/api/webhooks/" + discord.id() + "/not-the-token";
    o = notifier(wrongToken)->execute(numbered(1), context());
    CHECK_FALSE(o.ok);
    CHECK(o.summary.find("refused the token (HTTP 401 (50027 Invalid Webhook Token)); check webhook_url") != std::string::npos);
    CHECK(o.summary.find("not-the-token") == std::string::npos);
    CHECK(discord.requests().size() == 2);
    for (const auto& line : logs->lines()) CHECK(line.find(discord.token()) == std::string::npos);
}

TEST_CASE("nothing listening: connection errors are retried, then a clear failure") {
    const int port = test::freeLoopbackPort();
    auto action = notifier("http://127.0.0.1:" + std::to_string(port) + "/api/webhooks/1/secret-token-xyz", {{"max_retry_time", "100ms"}});
    const Outcome o = action->execute(numbered(1), context());
    CHECK_FALSE(o.ok);
    CHECK(o.summary.find("Connection refused") != std::string::npos);
    CHECK(o.summary.find("secret-token-xyz") == std::string::npos);
}

TEST_CASE("dry run sends nothing") {
    FakeDiscord discord;
    auto action = notifier(discord.webhookUrl());
    const Outcome o = action->execute(startup(), ActionContext{"discord", "Discord", true, nullptr});
    CHECK(o.ok);
    CHECK(o.summary.rfind("dry run: would POST {\"content\":\"The monitoring bot has restarted at ", 0) == 0);
    CHECK(discord.requests().empty());
}

TEST_CASE("a burst through the core's action queue arrives complete and in order despite rate limiting") {
    FakeDiscord discord;
    discord.setBucket(5, Ms(200));
    std::shared_ptr<Action> action = notifier(discord.webhookUrl());
    std::mutex mutex;
    std::vector<Outcome> outcomes;
    ActionRunner runner("discord", "Discord", false, action, [&](const Event&, const Outcome& o, Ms) {
        std::lock_guard<std::mutex> lock(mutex);
        outcomes.push_back(o);
    });
    runner.start();
    const int burst = 25;
    for (int i = 1; i <= burst; ++i) runner.post(numbered(i));
    CHECK(discord.waitForMessages(burst, Ms(20000)));
    runner.stop(Ms(2000));
    const auto messages = discord.messages();
    REQUIRE(messages.size() == static_cast<std::size_t>(burst));
    for (int i = 0; i < burst; ++i) CHECK(contentOf(messages[i]) == "message " + std::to_string(i + 1));
    // X-RateLimit-Remaining: 0 with Reset-After makes it wait before the next message instead of earning 429s.
    int limited = 0;
    std::string timeline;
    const auto requests = discord.requests();
    for (const auto& r : requests) {
        limited += r.status == 429;
        timeline += std::to_string(r.status) + "@" +
                    std::to_string(std::chrono::duration_cast<Ms>(r.received - requests.front().received).count()) + " ";
    }
    INFO(timeline);
    CHECK(limited == 0);
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(outcomes.size() == static_cast<std::size_t>(burst));
    for (const auto& o : outcomes) CHECK(o.ok);
}
