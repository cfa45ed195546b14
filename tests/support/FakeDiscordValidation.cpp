// FakeDiscord::validate: a webhook body checked the way Discord checks it (protocols.md 2.1-2.3).
#include "FakeDiscord.h"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <regex>

namespace watchdog::test {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Checks one string member against Discord's limit; appends the reason to `error`.
bool checkText(const Object& o, const std::string& key, std::size_t max, const std::string& where, std::string& error,
               std::size_t* total = nullptr, bool required = false) {
    if (!o.has(key) || o.get(key).isEmpty()) {
        if (required) error = where + key + ": this field is required";
        return !required;
    }
    if (!o.get(key).isString()) {
        error = where + key + ": must be a string";
        return false;
    }
    const std::string text = o.get(key).extract<std::string>();
    const std::size_t n = FakeDiscord::length(text);
    if (required && n == 0) {
        error = where + key + ": must be 1 or more in length";
        return false;
    }
    if (n > max) {
        error = where + key + ": must be " + std::to_string(max) + " or fewer in length (got " + std::to_string(n) + ")";
        return false;
    }
    if (total) *total += n;
    return true;
}

bool checkEmbed(const Object& e, const std::string& where, std::string& error, std::size_t& total) {
    if (!checkText(e, "title", 256, where, error, &total) || !checkText(e, "description", 4096, where, error, &total) ||
        !checkText(e, "url", 2048, where, error))
        return false;
    if (e.has("color")) {
        const auto& c = e.get("color");
        if (!c.isInteger() || c.convert<long long>() < 0 || c.convert<long long>() > 0xFFFFFF) {
            error = where + "color: must be an integer 0..16777215";
            return false;
        }
    }
    if (e.has("timestamp")) {
        static const std::regex iso(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?)");
        if (!e.get("timestamp").isString() || !std::regex_match(e.get("timestamp").toString(), iso)) {
            error = where + "timestamp: Could not parse " + e.get("timestamp").toString() + ". Should be ISO8601.";
            return false;
        }
    }
    for (const auto& [key, limit] : {std::pair<std::string, std::size_t>{"footer", 2048}, {"author", 256}}) {
        if (!e.has(key)) continue;
        auto sub = e.getObject(key);
        if (!sub) {
            error = where + key + ": must be an object";
            return false;
        }
        if (!checkText(*sub, key == "footer" ? "text" : "name", limit, where + key + ".", error, &total, true)) return false;
    }
    if (e.has("fields")) {
        auto fields = e.getArray("fields");
        if (!fields) {
            error = where + "fields: must be an array";
            return false;
        }
        if (fields->size() > 25) {
            error = where + "fields: must be 25 or fewer in length";
            return false;
        }
        for (std::size_t i = 0; i < fields->size(); ++i) {
            auto f = fields->getObject(static_cast<unsigned>(i));
            const std::string w = where + "fields." + std::to_string(i) + ".";
            if (!f) {
                error = w + ": must be an object";
                return false;
            }
            if (!checkText(*f, "name", 256, w, error, &total, true) || !checkText(*f, "value", 1024, w, error, &total, true)) return false;
            if (f->has("inline") && !f->get("inline").isBoolean()) {
                error = w + "inline: must be a boolean";
                return false;
            }
        }
    }
    return true;
}

bool checkMentions(const Object& root, std::string& error) {
    auto am = root.getObject("allowed_mentions");
    if (!am) {
        error = "allowed_mentions: missing (every message must say who may be pinged)";
        return false;
    }
    std::vector<std::string> parse;
    if (am->has("parse")) {
        auto p = am->getArray("parse");
        if (!p) {
            error = "allowed_mentions.parse: must be an array";
            return false;
        }
        for (std::size_t i = 0; i < p->size(); ++i) {
            const std::string v = p->get(static_cast<unsigned>(i)).toString();
            if (v != "users" && v != "roles" && v != "everyone") {
                error = "allowed_mentions.parse." + std::to_string(i) + ": Value must be one of {'users', 'roles', 'everyone'}.";
                return false;
            }
            parse.push_back(v);
        }
    }
    for (const std::string list : {"roles", "users"}) {
        if (!am->has(list)) continue;
        auto a = am->getArray(list);
        if (!a || a->size() > 100) {
            error = "allowed_mentions." + list + ": must be an array of at most 100 ids";
            return false;
        }
        for (std::size_t i = 0; i < a->size(); ++i)
            if (!std::regex_match(a->get(static_cast<unsigned>(i)).toString(), std::regex("[0-9]{1,25}"))) {
                error = "allowed_mentions." + list + "." + std::to_string(i) + ": Value is not snowflake.";
                return false;
            }
        if (a->size() > 0 && std::find(parse.begin(), parse.end(), list) != parse.end()) {
            error = "allowed_mentions: parse:[\"" + list + "\"] and " + list + ": [ids] are mutually exclusive";
            return false;
        }
    }
    return true;
}

}  // namespace

std::size_t FakeDiscord::length(const std::string& utf8) {
    std::size_t b = 0, e = utf8.size();
    while (b < e && isSpace(utf8[b])) ++b;
    while (e > b && isSpace(utf8[e - 1])) --e;
    std::size_t n = 0;
    for (std::size_t i = b; i < e; ++i)
        if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) ++n;
    return n;
}

std::string FakeDiscord::validate(const std::string& body) {
    Object::Ptr root;
    try {
        Poco::JSON::Parser parser;
        root = parser.parse(body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return "body is not a JSON object";
    }
    std::string error;
    if (!checkText(*root, "content", 2000, "", error) || !checkText(*root, "avatar_url", 2048, "", error)) return error;
    if (root->has("username")) {
        if (!checkText(*root, "username", 80, "", error, nullptr, true)) return error;
        std::string lower = root->get("username").toString();
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.find("discord") != std::string::npos || lower.find("clyde") != std::string::npos)
            return "username: Username cannot contain \"discord\" or \"clyde\"";
    }
    if (root->has("tts") && !root->get("tts").isBoolean()) return "tts: must be a boolean";
    std::size_t embeds = 0;
    if (root->has("embeds")) {
        auto list = root->getArray("embeds");
        if (!list) return "embeds: must be an array";
        if (list->size() > 10) return "embeds: must be 10 or fewer in length";
        std::size_t total = 0;
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto e = list->getObject(static_cast<unsigned>(i));
            if (!e) return "embeds." + std::to_string(i) + ": must be an object";
            if (!checkEmbed(*e, "embeds." + std::to_string(i) + ".", error, total)) return error;
        }
        if (total > 6000) return "embeds: Embed size exceeds maximum size of 6000 (got " + std::to_string(total) + ")";
        embeds = list->size();
    }
    const bool hasContent = root->has("content") && length(root->get("content").toString()) > 0;
    if (!hasContent && embeds == 0) return "Cannot send an empty message";
    if (!checkMentions(*root, error)) return error;
    return "";
}

}  // namespace watchdog::test
