#include <watchdog/HumanFormat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace watchdog::human {

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool isVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

std::string pluralOf(const std::string& word) {
    if (endsWith(word, "s") || endsWith(word, "x") || endsWith(word, "ch") || endsWith(word, "sh")) return word + "es";
    if (word.size() > 1 && word.back() == 'y' && !isVowel(word[word.size() - 2])) return word.substr(0, word.size() - 1) + "ies";
    return word + "s";
}

bool isLowerWord(const std::string& s) {
    for (char c : s)
        if (c < 'a' || c > 'z') return false;
    return !s.empty();
}

// Only a lower-case English plural is made singular: unit symbols ("LUFS", "kbps", "bytes/s") stay as they are.
std::string singularOf(const std::string& unit) {
    if (!isLowerWord(unit) || unit.size() < 3 || unit.back() != 's') return unit;
    if (endsWith(unit, "ies")) return unit.substr(0, unit.size() - 3) + "y";
    if (endsWith(unit, "sses") || endsWith(unit, "xes") || endsWith(unit, "ches") || endsWith(unit, "shes"))
        return unit.substr(0, unit.size() - 2);
    if (endsWith(unit, "ss") || endsWith(unit, "us") || endsWith(unit, "ps") || endsWith(unit, "is")) return unit;
    return unit.substr(0, unit.size() - 1);
}

std::string fixed(double value, int decimals) {
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    std::string out = buf;
    if (out.front() == '-' && out.find_first_not_of("-0.") == std::string::npos) out.erase(0, 1);
    return out;
}

// std::llround and std::log10 by hand: the only libm calls of a round of checks, and each kept a
// 64 KiB window of libm resident (issue 17). Half away from zero, as llround; |value| < 2^62.
long long roundToInteger(double value) { return static_cast<long long>(value < 0 ? value - 0.5 : value + 0.5); }

// Above 2^52 every double is whole.
bool isWhole(double value) {
    return std::fabs(value) >= 4503599627370496.0 || std::fabs(value - static_cast<double>(roundToInteger(value))) < 1e-9;
}

// ceil(-log10(a)) for 0 < a < 1, at most 7: how many places right of the point the first digit is.
int leadingZeroPlaces(double a) {
    static constexpr double kPowers[] = {1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6};
    int places = 1;
    for (double p : kPowers) {
        if (a >= p) return places;
        ++places;
    }
    return places;
}

std::string pair(long long big, const char* bigUnit, long long small, const char* smallUnit) {
    std::string out = std::to_string(big) + " " + bigUnit;
    if (small != 0) out += " " + std::to_string(small) + " " + smallUnit;
    return out;
}

}  // namespace

std::string duration(std::chrono::milliseconds d) {
    const long long ms = d.count();
    if (ms < 0) return "-" + duration(std::chrono::milliseconds(-ms));
    if (ms < 1000) return std::to_string(ms) + " ms";
    const long long tenths = (ms + 50) / 100;
    if (tenths < 600) {
        if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
        return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
    }
    const long long seconds = (ms + 500) / 1000;
    if (seconds < 3600) return pair(seconds / 60, "min", seconds % 60, "s");
    const long long minutes = (ms + 30'000) / 60'000;
    if (minutes < 1440) return pair(minutes / 60, "h", minutes % 60, "min");
    const long long hours = (ms + 1'800'000) / 3'600'000;
    return pair(hours / 24, "d", hours % 24, "h");
}

std::string number(double value) {
    if (std::isnan(value)) return "n/a";
    if (std::isinf(value)) return value > 0 ? "infinity" : "-infinity";
    const double a = std::fabs(value);
    int decimals = 0;
    if (a >= 100 || a == 0)
        decimals = 0;
    else if (a >= 10)
        decimals = 1;
    else if (a >= 1)
        decimals = 2;
    else
        decimals = std::min(6, leadingZeroPlaces(a) + 2);
    std::string out = fixed(value, decimals);
    if (out.find('.') != std::string::npos) {
        out.erase(out.find_last_not_of('0') + 1);
        if (out.back() == '.') out.pop_back();
    }
    return out;
}

std::string percent(double value) {
    if (!std::isfinite(value)) return number(value) + " %";
    return fixed(value, isWhole(value) ? 0 : 1) + " %";
}

std::string quantity(double value, const std::string& unit) {
    // Beyond ~30 million years a seconds value is no longer a duration anyone reads as one.
    if (unit == "s" && std::fabs(value) < 1e15) return duration(std::chrono::milliseconds(roundToInteger(value * 1000)));
    if (unit == "ms" && std::fabs(value) < 1e18) return duration(std::chrono::milliseconds(roundToInteger(value)));
    if (unit == "%") return percent(value);
    const std::string n = number(value);
    if (unit.empty()) return n;
    return n + " " + (n == "1" ? singularOf(unit) : unit);
}

std::string count(long long n, const std::string& singular) { return count(n, singular, pluralOf(singular)); }

std::string count(long long n, const std::string& singular, const std::string& plural) {
    return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

}  // namespace watchdog::human
