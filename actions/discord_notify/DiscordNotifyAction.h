#pragma once

#include "IncidentCardStore.h"
#include "MessageRenderer.h"
#include "WebhookClient.h"

#include <watchdog/Action.h>
#include <watchdog/OptionTable.h>

#include <memory>
#include <set>

namespace watchdog::discord_notify {

/// Notifier: renders each event as a Discord webhook message and posts it, in order, honouring
/// Discord's limits and rate limits. The events of one incident share one message (the incident
/// card), posted with the first and edited with each later one; the loud ones (failover, recovered...)
/// are posted as well. With the core's dry_run it logs the JSON instead of sending it.
class DiscordNotifyAction : public Action {
public:
    /// Reads webhook_url, username, avatar_url, mention, events, incident_card, also_post, state_file
    /// and the delivery timings.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// Always ActionRole::Notifier.
    ActionRole role() const override { return ActionRole::Notifier; }
    /// Renders and posts one event; a failure outcome says why (never with the token).
    Outcome execute(const Event& event, const ActionContext& context) override;

private:
    /// Adds `event` to its incident's card and posts or edits the card; posts the event itself too
    /// when it is in also_post.
    Outcome updateCard(const Event& event, const Message& message, const ActionContext& context);

    RenderSettings render_;
    std::set<EventType> events_;
    std::set<EventType> alsoPost_;
    std::unique_ptr<WebhookClient> client_;
    std::unique_ptr<IncidentCardStore> cards_;  ///< null with incident_card: false
    bool cardsLoaded_ = false;
};

}  // namespace watchdog::discord_notify
