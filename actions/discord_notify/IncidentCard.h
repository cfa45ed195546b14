#pragma once

#include "DiscordMessage.h"

#include <watchdog/Event.h>

#include <string>
#include <vector>

namespace watchdog::discord_notify {

/// One line of an incident's story on its card.
struct CardStep {
    TimePoint time{};  ///< when the event happened
    std::string text;  ///< "📡 Backup on air: Backup on air after 1 min 40 s"
};

/// The one Discord message kept per incident and what it shows.
struct IncidentCard {
    std::string incident;         ///< the incident id ("failover-1764650000000")
    std::string rule;             ///< the rule that opened it
    std::string pipeline;         ///< watchdog.name
    std::string messageId;        ///< Discord's id of the card ("" until a post succeeded)
    std::string content;          ///< the first message's content line (the ping), kept on every edit
    TimePoint opened{};           ///< time of its first event
    std::vector<CardStep> steps;  ///< every event of the incident, oldest first
};

/// The step `event` adds, worded from `rendered` (the event's own message): its title and summary.
CardStep stepFor(const Event& event, const Message& rendered);

/// The card's message: the latest event's embed (`latest`'s first embed) on top, then the timeline
/// embed listing every step with Discord's local-time stamps and how long the incident has lasted.
Message renderCard(const IncidentCard& card, const Message& latest);

/// True for the events that belong on an incident's card (they carry an incident id and are not a
/// check's own news such as flapping or a check error).
bool belongsOnCard(const Event& event);

}  // namespace watchdog::discord_notify
