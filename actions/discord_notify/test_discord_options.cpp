// Webhook URLs and options: every bad value is one clear line, and the token never shows.
#include "WebhookUrl.h"
#include "DiscordNotifyAction.h"

#include <watchdog/testing/PluginTestKit.h>

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::discord_notify;
using watchdog::discord_notify::WebhookUrl;

namespace {

const std::string kToken = "AbC-123_secret.TOKEN";

std::string configureError(const std::string& yaml) {
    DiscordNotifyAction action;
    try {
        testing::configureFrom(action, yaml, "actions.discord");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a webhook URL copied from Discord is sent to the v10 API, and only the redacted form is shown") {
    std::string error;
    auto url = WebhookUrl::parse("https://discord.com/api/webhooks/123456789012345678/" + kToken, error);
    REQUIRE(url);
    CHECK(url->target() == "https://discord.com/api/v10/webhooks/123456789012345678/" + kToken);
    CHECK(url->redacted() == "https://discord.com/api/v10/webhooks/123456789012345678/***");
    CHECK(url->id() == "123456789012345678");
    CHECK(url->port() == 443);
    CHECK(url->redact("POST failed for /api/v10/webhooks/1/" + kToken + " and " + kToken) ==
          "POST failed for /api/v10/webhooks/1/*** and ***");

    url = WebhookUrl::parse("https://discordapp.com/api/v9/webhooks/1/" + kToken + "?thread_id=42", error);
    REQUIRE(url);
    CHECK(url->pathAndQuery() == "/api/v10/webhooks/1/" + kToken + "?thread_id=42");
    CHECK(url->redacted() == "https://discordapp.com/api/v10/webhooks/1/***?thread_id=42");

    // Any host: a local test endpoint or a proxy with a path prefix.
    url = WebhookUrl::parse("http://127.0.0.1:8123/relay/api/webhooks/77/" + kToken + "/", error);
    REQUIRE(url);
    CHECK(url->target() == "http://127.0.0.1:8123/relay/api/v10/webhooks/77/" + kToken);
}

TEST_CASE("a webhook URL without /api/webhooks/ID/TOKEN is refused without echoing it") {
    std::string error;
    CHECK_FALSE(WebhookUrl::parse("https://discord.com/channels/1/2", error));
    CHECK(error == "webhook_url on discord.com has no /api/webhooks/ID/TOKEN path (expected https://discord.com/api/webhooks/ID/TOKEN)");
    CHECK_FALSE(WebhookUrl::parse("https://discord.com/api/webhooks/abc/" + kToken, error));
    CHECK_FALSE(WebhookUrl::parse("https://discord.com/api/webhooks/123", error));
    CHECK_FALSE(WebhookUrl::parse("ftp://discord.com/api/webhooks/1/" + kToken, error));
    CHECK(error.find("must start with https://") != std::string::npos);
    CHECK(error.find(kToken) == std::string::npos);
    CHECK_FALSE(WebhookUrl::parse("not a url at all", error));
}

TEST_CASE("a complete block configures") {
    CHECK(configureError("webhook_url: https://discord.com/api/webhooks/1/" + kToken + "\n") == "");
    CHECK(configureError("webhook_url: https://discord.com/api/webhooks/1/" + kToken +
                         "\nusername: Encoder Watchdog\navatar_url: https://example.org/a.png\nmention: '<@&123456789012345678>'\n"
                         "events: [startup, warning, failover, outcome, recovered, check_error]\nrequest_timeout: 5s\n"
                         "max_retry_time: 1m\nretry_backoff: 500ms\nmax_backoff: 10s\n") == "");
}

TEST_CASE("bad options are one line naming file:line:col and the key, never the token") {
    const std::string good = "webhook_url: https://discord.com/api/webhooks/1/" + kToken + "\n";
    std::string e = configureError("webhook_url: https://discord.com/webhooks/1/" + kToken + "\n");
    CHECK(e.find("pipeline.yaml:1:14: actions.discord.webhook_url: webhook_url on discord.com has no /api/webhooks/ID/TOKEN path") == 0);
    CHECK(e.find(kToken) == std::string::npos);
    CHECK(configureError("username: x\n").find("actions.discord.webhook_url") != std::string::npos);
    CHECK(configureError(good + "mention: '@everyone'\n") ==
          "pipeline.yaml:2:10: actions.discord.mention: '@everyone' is not a role id (digits, e.g. 123456789012345678, or <@&ID>)");
    CHECK(configureError(good + "events: [startup, warnings]\n")
              .find("actions.discord.events: 'warnings' is not an event (use startup, status, warning, cancelled, failover, outcome, "
                    "recovered, check_error, shutdown)") != std::string::npos);
    CHECK(configureError(good + "avatar_url: not-a-url\n").find("actions.discord.avatar_url: 'not-a-url' is not an http(s) URL") !=
          std::string::npos);
    CHECK(configureError(good + "username: " + std::string(81, 'u') + "\n").find("at most 80 characters") != std::string::npos);
    CHECK(
        configureError(good + "retry_backoff: 2s\nmax_backoff: 1s\n").find("actions.discord.max_backoff: must be at least retry_backoff") !=
        std::string::npos);
    CHECK(configureError(good + "request_timeout: soon\n").find("actions.discord.request_timeout") != std::string::npos);
    CHECK(configureError(good + "webhook: x\n").find("webhook") != std::string::npos);
}

TEST_CASE("dry run returns exactly the JSON it would send and sends nothing") {
    DiscordNotifyAction action;
    action.configure(testing::optionsFromYaml("webhook_url: http://127.0.0.1:9/api/webhooks/1/" + kToken + "\n", "actions.discord"));
    Event e;
    e.type = EventType::Startup;
    e.time = fromEpochMs(1727365199000LL);
    ActionContext ctx{"discord", "Discord", true, nullptr};
    const Outcome o = action.execute(e, ctx);
    CHECK(o.ok);
    const std::string expected = R"({"content":"The monitoring bot has restarted at )" + toLocalSeconds(e.time) +
                                 R"( and is now actively monitoring.","allowed_mentions":{"parse":[]}})";
    CHECK(o.summary == "dry run: would POST " + expected);
    REQUIRE(o.details.size() == 2);
    CHECK(o.details[0] == std::make_pair(std::string("url"), std::string("http://127.0.0.1:9/api/v10/webhooks/1/***")));
    CHECK(o.details[1] == std::make_pair(std::string("body"), expected));
}

TEST_CASE("events not listed are skipped without sending") {
    DiscordNotifyAction action;
    action.configure(
        testing::optionsFromYaml("webhook_url: http://127.0.0.1:9/api/webhooks/1/" + kToken + "\nevents: [warning]\n", "actions.discord"));
    Event e;
    e.type = EventType::Status;
    const Outcome o = action.execute(e, ActionContext{"discord", "Discord", false, nullptr});
    CHECK(o.ok);
    CHECK(o.summary == "not sent: status is not in events");
}
