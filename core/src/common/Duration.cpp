#include <watchdog/Duration.h>

#include <cctype>
#include <cstdint>
#include <limits>

namespace watchdog {

namespace {
std::optional<long long> unitMs(const std::string& unit) {
    if (unit == "ms") return 1;
    if (unit == "s") return 1000;
    if (unit == "m") return 60'000;
    if (unit == "h") return 3'600'000;
    if (unit == "d") return 86'400'000;
    return std::nullopt;
}
}  // namespace

namespace {
enum class DurationText { NotADuration, TooLong, Valid };

/// Reads "1h30m"; the sum is checked against maxDuration at every step, so it can never wrap.
DurationText readDuration(const std::string& text, long long& total) {
    constexpr long long limit = maxDuration.count();
    std::size_t i = 0;
    total = 0;
    bool any = false, tooLong = false;
    while (i < text.size()) {
        std::size_t start = i;
        long long n = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            if (n <= limit) n = n * 10 + (text[i] - '0');
            ++i;
        }
        if (i == start) return DurationText::NotADuration;
        std::size_t unitStart = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        auto mult = unitMs(text.substr(unitStart, i - unitStart));
        if (!mult) return DurationText::NotADuration;
        if (n > limit / *mult || total > limit - n * *mult)
            tooLong = true;
        else
            total += n * *mult;
        any = true;
    }
    if (!any) return DurationText::NotADuration;
    return tooLong ? DurationText::TooLong : DurationText::Valid;
}
}  // namespace

std::optional<std::chrono::milliseconds> parseDuration(const std::string& text) {
    long long total = 0;
    if (readDuration(text, total) != DurationText::Valid) return std::nullopt;
    return std::chrono::milliseconds(total);
}

bool isOverlongDuration(const std::string& text) {
    long long total = 0;
    return readDuration(text, total) == DurationText::TooLong;
}

std::string formatDuration(std::chrono::milliseconds d) {
    long long ms = d.count();
    if (ms == std::numeric_limits<long long>::min()) ++ms;  // -ms would overflow
    if (ms < 0) return "-" + formatDuration(std::chrono::milliseconds(-ms));
    if (ms == 0) return "0s";
    if (ms < 1000 || ms % 1000 != 0) {
        if (ms < 60'000) return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
        ms = ms > std::numeric_limits<long long>::max() - 500 ? ms / 1000 * 1000 : (ms + 500) / 1000 * 1000;  // rounded, without overflow
    }
    static const std::pair<long long, const char*> units[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}};
    std::string out;
    int parts = 0;
    for (const auto& [size, name] : units) {
        if (ms >= size && parts < 2) {
            out += std::to_string(ms / size) + name;
            ms %= size;
            ++parts;
        } else if (parts > 0) {
            ++parts;  // keep two adjacent units at most: "1h30m", not "1h0m5s"
        }
    }
    return out;
}

std::optional<unsigned long long> parseSize(const std::string& text) {
    std::size_t i = 0;
    unsigned long long n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        if (n > std::numeric_limits<unsigned long long>::max() / 10 - 10) return std::nullopt;
        n = n * 10 + static_cast<unsigned long long>(text[i++] - '0');
    }
    if (i == 0) return std::nullopt;
    std::string unit = text.substr(i);
    if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    unsigned long long mult = 1;
    if (unit.empty() || unit == "B")
        mult = 1;
    else if (unit == "K" || unit == "KB" || unit == "KiB" || unit == "k")
        mult = 1ULL << 10;
    else if (unit == "M" || unit == "MB" || unit == "MiB")
        mult = 1ULL << 20;
    else if (unit == "G" || unit == "GB" || unit == "GiB")
        mult = 1ULL << 30;
    else
        return std::nullopt;
    if (n > std::numeric_limits<unsigned long long>::max() / mult) return std::nullopt;
    return n * mult;
}

}  // namespace watchdog
