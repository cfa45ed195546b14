#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace watchdog {

/// Parses "500ms", "300s", "15m", "1h", "2d" and sums such as "1h30m"; nullopt if the text is not one.
std::optional<std::chrono::milliseconds> parseDuration(const std::string& text);

/// Formats a duration the way users write it: "500ms", "10s", "15m", "1h30m", "2d3h".
std::string formatDuration(std::chrono::milliseconds d);

/// Parses a byte size: "512", "64K", "10M", "1G" (powers of 1024; an optional trailing B or iB).
std::optional<unsigned long long> parseSize(const std::string& text);

}  // namespace watchdog
