#include "DiscordNotifyAction.h"

#include "DiscordText.h"
#include "EventTypes.h"

#include <watchdog/Plugin.h>
#include <watchdog/Version.h>

#include <Poco/Logger.h>

#include <cstdlib>
#include <regex>

namespace watchdog::discord_notify {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("watchdog.action.discord_notify"); }

// The events of an incident that ring phones: besides editing the card, they are posted on their own.
const std::vector<std::string> kAlsoPostDefault = {"failover", "recovered", "limited", "not_verified"};

// Beside the daemon's default state file: $STATE_DIRECTORY under systemd, else the pipeline's folder.
std::string defaultStateFile(const Options& options) {
    const std::string& where = options.where();
    const std::string id = where.substr(where.rfind('.') + 1);
    const char* stateDir = std::getenv("STATE_DIRECTORY");
    const std::string name = "discord_notify-" + id + ".json";
    return stateDir && *stateDir ? std::string(stateDir) + "/" + name : name;
}

std::set<EventType> eventSet(const Options& options, const std::string& key, const std::vector<std::string>& fallback) {
    std::set<EventType> out;
    for (const auto& word : options.stringList(key, fallback)) {
        auto type = eventTypeFromString(word);
        if (!type) options.fail(key, "'" + word + "' is not an event");
        out.insert(*type);
    }
    return out;
}

}  // namespace

void DiscordNotifyAction::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    std::string error;
    auto url = WebhookUrl::parse(options.secret("webhook_url"), error);
    if (!url) options.fail("webhook_url", error);

    render_.username = options.string("username", "");
    if (discordLength(render_.username) > limits::username) options.report("username", "must be at most 80 characters");
    render_.avatarUrl = options.string("avatar_url", "");
    if (!render_.avatarUrl.empty() && !std::regex_match(render_.avatarUrl, std::regex("https?://\\S+")))
        options.report("avatar_url", "'" + render_.avatarUrl + "' is not an http(s) URL");
    render_.mentionRole = options.string("mention", "");
    // Accept the role id or the mention form <@&ID> that Discord's "Copy Role ID"/markdown gives.
    std::smatch m;
    if (std::regex_match(render_.mentionRole, m, std::regex("<@&([0-9]+)>"))) render_.mentionRole = m[1];
    if (!render_.mentionRole.empty() && !std::regex_match(render_.mentionRole, std::regex("[0-9]{5,25}")))
        options.report("mention", "'" + render_.mentionRole + "' is not a role id (digits, e.g. 123456789012345678, or <@&ID>)");

    std::vector<std::string> all;
    for (EventType t : common::allEventTypes()) all.push_back(toString(t));
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

    DeliverySettings d;
    d.requestTimeout = options.duration("request_timeout", std::chrono::milliseconds(10000));
    d.maxRetryTime = options.duration("max_retry_time", std::chrono::milliseconds(120000));
    d.backoff = options.duration("retry_backoff", std::chrono::milliseconds(1000));
    d.maxBackoff = options.duration("max_backoff", std::chrono::milliseconds(30000));
    d.caFile = options.path("ca_file", "");
    d.userAgent = std::string("DiscordBot (https://github.com/encoder-watchdog/encoder-watchdog, ") + WATCHDOG_VERSION + ")";
    if (d.requestTimeout.count() <= 0) options.report("request_timeout", "must be more than 0");
    if (d.backoff.count() <= 0) options.report("retry_backoff", "must be more than 0");
    if (d.maxBackoff < d.backoff) options.report("max_backoff", "must be at least retry_backoff");
    if (d.maxRetryTime.count() < 0) options.report("max_retry_time", "must not be negative");
    client_ = std::make_unique<WebhookClient>(*url, d);

    alsoPost_ = eventSet(options.block(), "also_post", kAlsoPostDefault);
    cards_.reset();
    cardsLoaded_ = false;
    const std::string stateFile = options.path("state_file", defaultStateFile(options.block()));
    if (options.boolean("incident_card", true)) cards_ = std::make_unique<IncidentCardStore>(stateFile);
}

Outcome DiscordNotifyAction::updateCard(const Event& event, const Message& message, const ActionContext& context) {
    const auto stopping = [&context] { return context.isStopping(); };
    if (!cardsLoaded_) {
        cardsLoaded_ = true;
        if (const std::string error = cards_->load(); !error.empty())
            logger().error("discord_notify " + context.id + ": cannot read state_file " + error + "; open incidents get a new card");
    }
    const std::string type = toString(event.type);
    IncidentCard* card = cards_->find(event.incident);
    const bool first = card == nullptr;
    if (first) card = &cards_->open(event, message.content);
    card->steps.push_back(stepFor(event, message));
    Details details{{"url", client_->redactedUrl()}};

    // The loud events ring phones with a message of their own first; the card is the record.
    Delivery own;
    if (!first && alsoPost_.count(event.type)) own = client_->post(toJson(message), stopping);

    const std::string body = toJson(renderCard(*card, message));
    Delivery d;
    std::string cardWhat;
    if (card->messageId.empty()) {
        d = client_->create(body, stopping);
        cardWhat = "incident card posted";
    } else {
        d = client_->edit(card->messageId, body, stopping);
        cardWhat = "incident card edited";
        if (d.unknownMessage) {
            logger().warning("discord_notify " + context.id + ": the card of incident " + event.incident + " (message " + card->messageId +
                             ") was deleted in Discord; posting a new card");
            d = client_->create(body, stopping);
            cardWhat = "incident card " + card->messageId + " was deleted, new card posted";
        }
    }
    if (d.ok && !d.messageId.empty()) card->messageId = d.messageId;
    details.emplace_back("message_id", card->messageId);
    details.emplace_back("status", std::to_string(d.status));
    details.emplace_back("attempts", std::to_string(d.attempts + own.attempts));

    std::string saveError = cards_->save(event.time);
    if (!saveError.empty()) logger().error("discord_notify " + context.id + ": cannot save state_file: " + saveError);
    const bool ownOk = own.attempts == 0 || own.ok;
    std::string summary =
        type + (d.ok ? ": " + cardWhat + " (message " + card->messageId + ")" : ": incident card not delivered: " + d.summary);
    if (own.attempts > 0) summary += ownOk ? "; message " + own.summary : "; message not delivered: " + own.summary;
    if (!saveError.empty()) summary += "; state_file not saved: " + saveError;
    if (d.ok && ownOk) return Outcome::success(summary, details);
    return Outcome::failure("Discord " + summary, details);
}

Outcome DiscordNotifyAction::execute(const Event& event, const ActionContext& context) {
    if (!client_) return Outcome::failure("discord_notify is not configured");
    if (!events_.count(event.type)) return Outcome::success(std::string("not sent: ") + toString(event.type) + " is not in events");
    const Message message = render(event, render_);
    const std::string body = toJson(message);
    const std::string where = client_->redactedUrl();
    if (cards_ && !context.dryRun && belongsOnCard(event)) return updateCard(event, message, context);
    if (context.dryRun) {
        logger().information("discord_notify " + context.id + " dry run: would POST to " + where + ": " + body);
        return Outcome::success("dry run: would POST " + body, {{"url", where}, {"body", body}});
    }
    const Delivery d = client_->post(body, [&context] { return context.isStopping(); });
    Details details{{"url", where}, {"status", std::to_string(d.status)}, {"attempts", std::to_string(d.attempts)}};
    if (d.ok) return Outcome::success(std::string(toString(event.type)) + " message " + d.summary, details);
    return Outcome::failure(std::string("Discord ") + toString(event.type) + " message not delivered: " + d.summary, details);
}

}  // namespace watchdog::discord_notify

WATCHDOG_ACTION_PLUGIN(watchdog::discord_notify::DiscordNotifyAction)
