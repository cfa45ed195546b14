#include "migrate/EnvFile.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace watchdog {

namespace {

std::string trim(const std::string& s) {
    const std::size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    const std::size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

bool isName(const std::string& key) {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string at(int line) { return "line " + std::to_string(line) + ": "; }

}  // namespace

const EnvEntry* EnvFile::find(const std::string& key) const {
    const EnvEntry* found = nullptr;
    for (const auto& e : entries)
        if (e.key == key) found = &e;
    return found;
}

EnvFile parseEnvText(const std::string& text) {
    EnvFile file;
    std::istringstream in(text);
    std::string raw;
    int lineNo = 0;
    std::vector<std::string> pendingComments;
    std::map<std::string, int> seen;
    while (std::getline(in, raw)) {
        ++lineNo;
        std::string t = trim(raw);
        if (t.empty()) {
            pendingComments.clear();
            continue;
        }
        if (t[0] == '#') {
            pendingComments.push_back(trim(t.substr(1)));
            continue;
        }
        if (t.rfind("export ", 0) == 0) t = trim(t.substr(7));
        const auto eq = t.find('=');
        if (eq == std::string::npos || eq == 0) {
            file.problems.push_back(at(lineNo) + "'" + t.substr(0, 40) + "' is not KEY=VALUE");
            pendingComments.clear();
            continue;
        }
        EnvEntry entry;
        entry.key = trim(t.substr(0, eq));
        entry.line = lineNo;
        entry.comments = std::move(pendingComments);
        pendingComments.clear();
        if (!isName(entry.key)) {
            file.problems.push_back(at(lineNo) + "'" + entry.key + "' is not a variable name (letters, digits and _)");
            continue;
        }
        std::string value = trim(t.substr(eq + 1));
        if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
            const char quote = value[0];
            const auto end = value.find(quote, 1);
            if (end == std::string::npos) {
                file.problems.push_back(at(lineNo) + entry.key + " has an opening " + (quote == '"' ? "double" : "single") +
                                        " quote without a closing one");
                continue;
            }
            std::string rest = trim(value.substr(end + 1));
            if (quote == '"' && end > 1 && value[end - 1] == '\\')
                file.notes.push_back(at(lineNo) + entry.key + " uses \\\" inside double quotes; env_file has no escapes and ends the value at that quote");
            else if (!rest.empty() && rest[0] != '#')
                file.notes.push_back(at(lineNo) + entry.key + ": the text after the closing quote is ignored ('" + rest.substr(0, 20) + "')");
            if (!rest.empty() && rest[0] == '#') entry.inlineComment = trim(rest.substr(1));
            value = value.substr(1, end - 1);
        } else if (auto hash = value.find(" #"); hash != std::string::npos) {
            entry.inlineComment = trim(value.substr(hash + 2));
            value = trim(value.substr(0, hash));
        } else if (!value.empty() && value[0] == '#') {
            file.notes.push_back(at(lineNo) + entry.key + " has no value before its '#'; env_file reads the value as '" + value + "'");
        }
        entry.value = value;
        if (auto it = seen.find(entry.key); it != seen.end())
            file.notes.push_back(at(lineNo) + entry.key + " is also set on line " + std::to_string(it->second) + "; the last value is used");
        seen[entry.key] = lineNo;
        file.entries.push_back(std::move(entry));
    }
    return file;
}

}  // namespace watchdog
