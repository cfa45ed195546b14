#pragma once

#include <watchdog/Abi.h>

#include <chrono>
#include <optional>
#include <string>

namespace watchdog {

/// The longest duration anything accepts (3650d, about ten years): every deadline computed from one
/// (now + wait, a throttle, `since`) stays far inside the clocks' range.
constexpr std::chrono::milliseconds maxDuration{3650LL * 86'400'000};

/// Parses "500ms", "300s", "15m", "1h", "2d" and sums such as "1h30m"; nullopt if the text is not one
/// or is longer than maxDuration.
WATCHDOG_API std::optional<std::chrono::milliseconds> parseDuration(const std::string& text);

/// True if the text is a well-formed duration that is longer than maxDuration.
WATCHDOG_API bool isOverlongDuration(const std::string& text);

/// Formats a duration in the pipeline's syntax, as parseDuration reads it back: "500ms", "10s", "15m",
/// "1h30m", "2d3h". Text for people uses human::duration (HumanFormat.h).
WATCHDOG_API std::string formatDuration(std::chrono::milliseconds d);

/// Parses a byte size: "512", "64K", "10M", "1G" (powers of 1024; an optional trailing B or iB).
WATCHDOG_API std::optional<unsigned long long> parseSize(const std::string& text);

}  // namespace watchdog
