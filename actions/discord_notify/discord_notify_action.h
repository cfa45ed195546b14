#pragma once

#include "MessageRenderer.h"
#include "WebhookClient.h"

#include <watchdog/Action.h>

#include <memory>
#include <set>

namespace watchdog {

/// Notifier: renders each event as a Discord webhook message and posts it, in order, honouring
/// Discord's limits and rate limits. With the core's dry_run it logs the JSON instead of sending it.
class DiscordNotifyAction : public Action {
public:
    /// Reads webhook_url, username, avatar_url, mention, events and the delivery timings.
    void configure(const Options& options) override;
    /// Always ActionRole::Notifier.
    ActionRole role() const override { return ActionRole::Notifier; }
    /// Renders and posts one event; a failure outcome says why (never with the token).
    Outcome execute(const Event& event, const ActionContext& context) override;

private:
    discord::RenderSettings render_;
    std::set<EventType> events_;
    std::unique_ptr<discord::WebhookClient> client_;
};

}  // namespace watchdog
