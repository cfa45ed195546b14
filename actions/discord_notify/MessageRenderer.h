#pragma once

#include "DiscordMessage.h"

#include <watchdog/Event.h>

#include <string>

namespace watchdog::discord_notify {

/// What the user chose about how messages look.
struct RenderSettings {
    std::string username;     ///< username override ("" keeps the webhook's)
    std::string avatarUrl;    ///< avatar override ("" keeps the webhook's)
    std::string mentionRole;  ///< role id pinged on warnings and failovers ("" for none)
};

/// Embed colours: green all good, orange countdown, red failing or failed, grey nothing known.
namespace colors {
constexpr int green = 0x2ECC71;   ///< passing, recovered, cancelled, remedy succeeded
constexpr int orange = 0xE67E22;  ///< warning countdown
constexpr int red = 0xE74C3C;     ///< failing, failover, remedy failed, check error
constexpr int grey = 0x95A5A6;    ///< no results yet, shutdown, a dry run that changed nothing
}  // namespace colors

/// Turns one event into the Discord message for it (before limits are applied).
///
/// Startup and shutdown are plain content lines worded as the old script did ("The monitoring bot
/// has restarted at 2024-09-26 15:39:59 and is now actively monitoring."); every other event is one
/// embed: a status report has a field per check, a warning lists the failing checks and the
/// countdown, an outcome lists the remedy's details, a check error carries the error text.
Message render(const Event& event, const RenderSettings& settings);

/// The startup line of the old script for this time (local time, seconds).
std::string startupLine(TimePoint time);

}  // namespace watchdog::discord_notify
