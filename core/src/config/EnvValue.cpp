#include "config/EnvValue.h"

namespace watchdog {

namespace {
const char* const kBlanks = " \t\r";

std::string trim(const std::string& s) {
    const std::size_t b = s.find_first_not_of(kBlanks);
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(kBlanks) - b + 1);
}

/// Where the comment of an unquoted value starts: the first '#' after a space or a tab.
std::size_t commentStart(const std::string& value) {
    for (std::size_t i = 1; i < value.size(); ++i)
        if (value[i] == '#' && (value[i - 1] == ' ' || value[i - 1] == '\t')) return i;
    return std::string::npos;
}
}  // namespace

EnvValue parseEnvValue(const std::string& afterEquals) {
    EnvValue v;
    std::string value = trim(afterEquals);
    if (value.empty()) return v;
    if (value[0] == '#' && afterEquals[0] != '#') {
        v.comment = trim(value.substr(1));
        return v;
    }
    if (value[0] == '"' || value[0] == '\'') {
        v.quote = value[0];
        const auto end = value.find(v.quote, 1);
        if (end == std::string::npos) {
            v.unterminated = true;
            return v;
        }
        const std::string rest = trim(value.substr(end + 1));
        v.escapedQuote = v.quote == '"' && end > 1 && value[end - 1] == '\\';
        if (!rest.empty() && rest[0] == '#')
            v.comment = trim(rest.substr(1));
        else
            v.ignored = rest;
        v.value = value.substr(1, end - 1);
        return v;
    }
    if (const auto hash = commentStart(value); hash != std::string::npos) {
        v.comment = trim(value.substr(hash + 1));
        value = trim(value.substr(0, hash));
    } else {
        v.leadingHash = value[0] == '#';
    }
    v.value = value;
    return v;
}

}  // namespace watchdog
