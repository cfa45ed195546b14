#pragma once

#include <cstddef>
#include <string>

namespace watchdog::discord_notify {

/// Discord's length of a text: UTF-16 code units of the trimmed text. Discord does not say how it
/// counts "characters" (protocols.md 2.2); UTF-16 units are never fewer than code points, so a text
/// that fits by this count fits by any.
std::size_t discordLength(const std::string& utf8);

/// Valid UTF-8: every invalid byte sequence becomes U+FFFD, so the JSON body always parses.
std::string sanitizeUtf8(const std::string& text);

/// Leading and trailing whitespace removed (Discord trims before it measures).
std::string trim(const std::string& text);

/// The trimmed text cut at a code point boundary so that discordLength() <= max, ending in "…" when cut.
std::string truncateTo(const std::string& text, std::size_t max);

}  // namespace watchdog::discord_notify
