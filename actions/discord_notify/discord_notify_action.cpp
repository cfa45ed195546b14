#include "discord_notify_action.h"

#include "DiscordText.h"

#include <watchdog/Plugin.h>
#include <watchdog/Version.h>

#include <Poco/Logger.h>

#include <regex>

namespace watchdog {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("watchdog.action.discord_notify"); }

const std::vector<EventType> kAllEvents = {EventType::Startup, EventType::Status,    EventType::Warning,
                                           EventType::Cancelled, EventType::Failover, EventType::Outcome,
                                           EventType::Recovered, EventType::CheckError, EventType::Shutdown,
                                           EventType::Limited,   EventType::Verified,   EventType::NotVerified,
                                           EventType::Failback,  EventType::FailbackCancelled, EventType::Flapping,
                                           EventType::Stable};

}  // namespace

void DiscordNotifyAction::configure(const Options& options) {
    std::string error;
    auto url = discord::WebhookUrl::parse(options.secret("webhook_url"), error);
    if (!url) options.fail("webhook_url", error);

    render_.username = options.string("username", "");
    if (discord::discordLength(render_.username) > discord::limits::username)
        options.fail("username", "must be at most 80 characters");
    render_.avatarUrl = options.string("avatar_url", "");
    if (!render_.avatarUrl.empty() && !std::regex_match(render_.avatarUrl, std::regex("https?://\\S+")))
        options.fail("avatar_url", "'" + render_.avatarUrl + "' is not an http(s) URL");
    render_.mentionRole = options.string("mention", "");
    // Accept the role id or the mention form <@&ID> that Discord's "Copy Role ID"/markdown gives.
    std::smatch m;
    if (std::regex_match(render_.mentionRole, m, std::regex("<@&([0-9]+)>"))) render_.mentionRole = m[1];
    if (!render_.mentionRole.empty() && !std::regex_match(render_.mentionRole, std::regex("[0-9]{5,25}")))
        options.fail("mention", "'" + render_.mentionRole + "' is not a role id (digits, e.g. 123456789012345678, or <@&ID>)");

    std::vector<std::string> all;
    for (EventType t : kAllEvents) all.push_back(toString(t));
    events_.clear();
    for (const auto& word : options.stringList("events", all)) {
        auto type = eventTypeFromString(word);
        if (!type) {
            // The closed-loop events (limit, verify, failback, flapping) are listed apart: only rules
            // with those keys send them.
            std::string list, loop;
            for (const auto& a : all) {
                const bool closedLoop = static_cast<int>(*eventTypeFromString(a)) >= static_cast<int>(EventType::Limited);
                std::string& to = closedLoop ? loop : list;
                to += (to.empty() ? "" : ", ") + a;
            }
            options.fail("events", "'" + word + "' is not an event (use " + list + ") or a closed-loop event (" + loop + ")");
        }
        events_.insert(*type);
    }

    discord::DeliverySettings d;
    d.requestTimeout = options.duration("request_timeout", std::chrono::milliseconds(10000));
    d.maxRetryTime = options.duration("max_retry_time", std::chrono::milliseconds(120000));
    d.backoff = options.duration("retry_backoff", std::chrono::milliseconds(1000));
    d.maxBackoff = options.duration("max_backoff", std::chrono::milliseconds(30000));
    d.caFile = options.path("ca_file", "");
    d.userAgent = std::string("DiscordBot (https://github.com/encoder-watchdog/encoder-watchdog, ") + WATCHDOG_VERSION + ")";
    if (d.requestTimeout.count() <= 0) options.fail("request_timeout", "must be more than 0");
    if (d.backoff.count() <= 0) options.fail("retry_backoff", "must be more than 0");
    if (d.maxBackoff < d.backoff) options.fail("max_backoff", "must be at least retry_backoff");
    if (d.maxRetryTime.count() < 0) options.fail("max_retry_time", "must not be negative");
    client_ = std::make_unique<discord::WebhookClient>(*url, d);
}

Outcome DiscordNotifyAction::execute(const Event& event, const ActionContext& context) {
    if (!client_) return Outcome::failure("discord_notify is not configured");
    if (!events_.count(event.type))
        return Outcome::success(std::string("not sent: ") + toString(event.type) + " is not in events");
    const std::string body = discord::toJson(discord::render(event, render_));
    const std::string where = client_->redactedUrl();
    if (context.dryRun) {
        logger().information("discord_notify " + context.id + " dry run: would POST to " + where + ": " + body);
        return Outcome::success("dry run: would POST " + body, {{"url", where}, {"body", body}});
    }
    const discord::Delivery d = client_->post(body, [&context] { return context.isStopping(); });
    Details details{{"url", where}, {"status", std::to_string(d.status)}, {"attempts", std::to_string(d.attempts)}};
    if (d.ok) return Outcome::success(std::string(toString(event.type)) + " message " + d.summary, details);
    return Outcome::failure(std::string("Discord ") + toString(event.type) + " message not delivered: " + d.summary, details);
}

}  // namespace watchdog

WATCHDOG_ACTION_PLUGIN(watchdog::DiscordNotifyAction)
