#include "migrate/Migration.h"

#include "migrate/YamlText.h"
#include <watchdog/Duration.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace watchdog {

namespace {

bool isNumber(const std::string& s, bool wholeOnly) {
    if (s.empty()) return false;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (*end != '\0' || !std::isfinite(v) || v < 0) return false;
    return !wholeOnly || v == std::floor(v);
}

}  // namespace

const EnvEntry* Migration::take(std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        if (const EnvEntry* e = env_.find(k)) {
            used_.insert(e->key);
            return e;
        }
    return nullptr;
}

const EnvEntry* Migration::require(std::initializer_list<const char*> keys, const std::string& dropped) {
    const EnvEntry* e = take(keys);
    if (e == nullptr)
        unmapped(std::string(*keys.begin()) + " is not set: " + dropped);
    else if (e->value.empty())
        unmapped(whereIs(e) + " has no value: " + dropped);
    return e != nullptr && !e->value.empty() ? e : nullptr;
}

std::string Migration::commentsOf(const EnvEntry* e, int indent) {
    if (e == nullptr) return {};
    std::string out;
    for (const auto& c : e->comments) out += yamlComment(c, indent);
    if (!e->inlineComment.empty()) out += yamlComment(e->inlineComment, indent);
    return out;
}

std::string whereIs(const EnvEntry* e) { return e->key + " (line " + std::to_string(e->line) + ")"; }

std::string reference(const EnvEntry* e) { return "${" + e->key + "}"; }

std::string numberOr(Migration& m, const EnvEntry* e, const char* fallback, bool wholeOnly) {
    if (e == nullptr || e->value.empty()) return fallback;
    std::string v = e->value;
    if (wholeOnly && isNumber(v, false) && !isNumber(v, true)) {
        m.unmapped(whereIs(e) + ": '" + v + "' is not a whole number; used the default " + fallback);
        return fallback;
    }
    if (!isNumber(v, wholeOnly)) {
        m.unmapped(whereIs(e) + ": '" + v + "' is not a number; used the default " + fallback);
        return fallback;
    }
    // "20" stays 20, "020" becomes 20: YAML 1.1 would read a leading zero as octal.
    while (v.size() > 1 && v[0] == '0' && std::isdigit(static_cast<unsigned char>(v[1]))) v.erase(0, 1);
    return v;
}

std::string durationOr(Migration& m, const EnvEntry* e, long long fallbackSeconds) {
    const std::string fallback = formatDuration(std::chrono::seconds(fallbackSeconds));
    if (e == nullptr || e->value.empty()) return fallback;
    if (isNumber(e->value, false)) {
        const double secs = std::strtod(e->value.c_str(), nullptr);
        if (secs > 0) return formatDuration(std::chrono::milliseconds(static_cast<long long>(std::llround(secs * 1000))));
    } else if (auto d = parseDuration(e->value); d && d->count() > 0) {
        return formatDuration(*d);
    }
    m.unmapped(whereIs(e) + ": '" + e->value + "' is not a number of seconds; used the default " + fallback);
    return fallback;
}

std::string defaultNote(const EnvEntry* e, const std::string& key, const std::string& value, int indent) {
    if (e != nullptr && !e->value.empty()) return {};
    return yamlComment(key + " is not in the .env: the script's default " + value, indent);
}

}  // namespace watchdog
