#include "migrate/EnvFile.h"

#include "config/EnvValue.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace watchdog {

namespace {

const char* const kUtf8Bom = "\xEF\xBB\xBF";

std::string trim(const std::string& s) {
    const std::size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    const std::size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

bool isName(const std::string& key) {
    return !key.empty() &&
           std::all_of(key.begin(), key.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string at(int line) { return "line " + std::to_string(line) + ": "; }

/// Length of the UTF-8 sequence starting at `i`, or 0 when the bytes there are not UTF-8.
std::size_t utf8Length(const std::string& s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    std::size_t n = 0;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if ((c == 0xE0 && byte(i + 1) < 0xA0) || (c == 0xED && byte(i + 1) > 0x9F) || (c == 0xF0 && byte(i + 1) < 0x90) ||
        (c == 0xF4 && byte(i + 1) > 0x8F))
        return 0;
    return n;
}

std::string binaryReason(const std::string& text) {
    int line = 1;
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        const std::string where = " (line " + std::to_string(line) + ")";
        if (c == 0) return "it contains NUL bytes" + where + ", so it is binary data";
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return "it contains control characters" + where + ", so it is binary data";
        const std::size_t n = utf8Length(text, i);
        if (n == 0) return "it is not UTF-8 text" + where;
        if (c == '\n') ++line;
        i += n;
    }
    return {};
}

}  // namespace

std::string notAnEnvFile(const std::string& text, const EnvFile& parsed) {
    if (std::string binary = binaryReason(text); !binary.empty()) return binary;
    if (parsed.entries.empty())
        return parsed.problems.empty() ? "it has no KEY=VALUE line" : "none of its lines is a setting (" + parsed.problems.front() + ")";
    if (parsed.problems.size() > parsed.entries.size())
        return "most of its lines are not settings (" + std::to_string(parsed.problems.size()) + " of " +
               std::to_string(parsed.problems.size() + parsed.entries.size()) + "; " + parsed.problems.front() + ")";
    return {};
}

const EnvEntry* EnvFile::find(const std::string& key) const {
    const EnvEntry* found = nullptr;
    for (const auto& e : entries)
        if (e.key == key) found = &e;
    return found;
}

EnvFile parseEnvText(const std::string& text) {
    EnvFile file;
    // Editors on Windows start UTF-8 files with a byte order mark; it is not part of the first key.
    std::istringstream in(text.rfind(kUtf8Bom, 0) == 0 ? text.substr(3) : text);
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
        const EnvValue parsed = parseEnvValue(t.substr(eq + 1));
        if (parsed.unterminated) {
            file.problems.push_back(at(lineNo) + entry.key + " has an opening " + (parsed.quote == '"' ? "double" : "single") +
                                    " quote without a closing one");
            continue;
        }
        if (parsed.escapedQuote)
            file.notes.push_back(at(lineNo) + entry.key +
                                 " uses \\\" inside double quotes; env_file has no escapes and ends the value at that quote");
        else if (!parsed.ignored.empty())
            file.notes.push_back(at(lineNo) + entry.key + ": the text after the closing quote is ignored ('" +
                                 parsed.ignored.substr(0, 20) + "')");
        if (parsed.leadingHash)
            file.notes.push_back(at(lineNo) + entry.key + " has no value before its '#'; env_file reads the value as '" + parsed.value +
                                 "'");
        entry.inlineComment = parsed.comment;
        entry.value = parsed.value;
        if (auto it = seen.find(entry.key); it != seen.end())
            file.notes.push_back(at(lineNo) + entry.key + " is also set on line " + std::to_string(it->second) +
                                 "; the last value is used");
        seen[entry.key] = lineNo;
        file.entries.push_back(std::move(entry));
    }
    return file;
}

}  // namespace watchdog
