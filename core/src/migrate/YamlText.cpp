#include "migrate/YamlText.h"

#include <algorithm>
#include <cctype>

namespace watchdog {

namespace {

bool isSpecialWord(const std::string& s) {
    // YAML 1.1 (yaml-cpp) booleans and nulls: a value such as `no` must stay a string.
    static const char* const words[] = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"};
    std::string lower(s);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::any_of(std::begin(words), std::end(words), [&](const char* w) { return lower == w; });
}

bool plainIsSafe(const std::string& s) {
    if (s.empty() || isSpecialWord(s)) return false;
    const std::string allowed = "_./@+-%=";
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && allowed.find(c) == std::string::npos && c != ':') return false;
    if (s[0] == '-' || s[0] == '@' || s[0] == '%' || s[0] == ':' || s.back() == ':') return false;
    if (s.find(": ") != std::string::npos) return false;
    return true;
}

}  // namespace

std::string yamlLiteral(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        if (c == '$')
            escaped += "$$";
        else
            escaped += c;
    }
    if (plainIsSafe(escaped)) return escaped;
    std::string out = "'";
    for (char c : escaped) {
        if (c == '\'')
            out += "''";
        else
            out += c;
    }
    return out + "'";
}

std::string yamlLiteralList(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        std::string item = yamlLiteral(items[i]);
        // In a flow list a plain ',' or '[' would split or nest; quote anything that is not a plain word.
        if (item.find_first_of(",[]{}") != std::string::npos && item[0] != '\'') item = "'" + item + "'";
        out += item;
    }
    return out + "]";
}

std::string yamlComment(const std::string& text, int indent) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    std::string out;
    std::size_t start = 0;
    while (true) {
        const auto nl = text.find('\n', start);
        const std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        out += pad + (line.empty() ? "#" : "# " + line) + "\n";
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return out;
}

}  // namespace watchdog
