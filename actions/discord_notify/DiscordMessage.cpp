#include "DiscordMessage.h"

#include "DiscordText.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace watchdog::discord_notify {

namespace {

std::size_t embedChars(const Embed& e) {
    std::size_t n = discordLength(e.title) + discordLength(e.description) + discordLength(e.footer) + discordLength(e.author);
    for (const auto& f : e.fields) n += discordLength(f.name) + discordLength(f.value);
    return n;
}

// Discord rejects an empty field name or value ("must be 1 or more in length").
std::string nonEmpty(const std::string& text) { return text.empty() ? "-" : text; }

void fitEmbed(Embed& e) {
    e.title = truncateTo(e.title, limits::title);
    e.description = truncateTo(e.description, limits::description);
    e.footer = truncateTo(e.footer, limits::footer);
    e.author = truncateTo(e.author, limits::author);
    if (e.fields.size() > limits::fields) {
        const std::size_t hidden = e.fields.size() - (limits::fields - 1);
        e.fields.resize(limits::fields - 1);
        e.fields.push_back({"…", std::to_string(hidden) + " more not shown", false});
    }
    for (auto& f : e.fields) {
        f.name = nonEmpty(truncateTo(f.name, limits::fieldName));
        f.value = nonEmpty(truncateTo(f.value, limits::fieldValue));
    }
}

const char* kMoreSuffix = " more not shown";

// The "… N more not shown" field that stands for dropped fields; 0 if the last field is not one.
std::size_t hiddenCount(const Embed& e) {
    if (e.fields.empty() || e.fields.back().name != "…") return 0;
    const std::string& v = e.fields.back().value;
    const std::size_t n = std::strtoul(v.c_str(), nullptr, 10);
    return v.size() > std::strlen(kMoreSuffix) && v.compare(v.size() - std::strlen(kMoreSuffix), std::string::npos, kMoreSuffix) == 0 ? n
                                                                                                                                      : 0;
}

// Shrinks the last embed until the total fits: drop fields from the end (leaving a note of how
// many), then the note, then cut the description, footer, author and title, then drop the embed.
void fitTotal(Message& m) {
    const auto fieldLength = [](const EmbedField& f) { return discordLength(f.name) + discordLength(f.value); };
    std::size_t total = embedTotal(m);
    std::size_t last = m.embeds.empty() ? 0 : embedChars(m.embeds.back());  // kept up to date, not recounted
    while (!m.embeds.empty() && total > limits::total) {
        Embed& e = m.embeds.back();
        const std::size_t others = total - last;
        bool dropEmbed = others >= limits::total;  // nothing of this embed can fit
        if (!dropEmbed) {
            const std::size_t over = total - limits::total;
            const std::size_t hidden = hiddenCount(e);
            const std::size_t real = e.fields.size() - (hidden > 0 ? 1 : 0);
            if (real > 0) {
                if (hidden > 0) {
                    last -= fieldLength(e.fields.back());
                    e.fields.pop_back();
                }
                last -= fieldLength(e.fields.back());
                e.fields.pop_back();
                e.fields.push_back({"…", std::to_string(hidden + 1) + kMoreSuffix, false});
                last += fieldLength(e.fields.back());
            } else if (!e.fields.empty()) {
                e.fields.clear();
                last = embedChars(e);
            } else {
                dropEmbed = true;
                for (std::string* text : {&e.description, &e.footer, &e.author, &e.title}) {
                    const std::size_t len = discordLength(*text);
                    if (len == 0) continue;
                    *text = truncateTo(*text, len > over ? len - over : 0);
                    dropEmbed = false;
                    break;
                }
                last = embedChars(e);
            }
        }
        if (dropEmbed) {
            m.embeds.pop_back();
            total = others;
            last = m.embeds.empty() ? 0 : embedChars(m.embeds.back());
            continue;
        }
        total = others + last;
    }
}

Poco::JSON::Object::Ptr embedJson(const Embed& e) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (!e.title.empty()) o->set("title", e.title);
    if (!e.description.empty()) o->set("description", e.description);
    if (e.color) o->set("color", *e.color);
    if (!e.timestamp.empty()) o->set("timestamp", e.timestamp);
    if (!e.author.empty()) {
        Poco::JSON::Object::Ptr a = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        a->set("name", e.author);
        o->set("author", a);
    }
    if (!e.fields.empty()) {
        Poco::JSON::Array::Ptr fields = new Poco::JSON::Array;
        for (const auto& f : e.fields) {
            Poco::JSON::Object::Ptr fo = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            fo->set("name", f.name);
            fo->set("value", f.value);
            fo->set("inline", f.inlined);
            fields->add(fo);
        }
        o->set("fields", fields);
    }
    if (!e.footer.empty()) {
        Poco::JSON::Object::Ptr f = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        f->set("text", e.footer);
        o->set("footer", f);
    }
    return o;
}

bool emptyEmbed(const Embed& e) {
    return e.title.empty() && e.description.empty() && e.fields.empty() && e.footer.empty() && e.author.empty();
}

}  // namespace

std::size_t embedTotal(const Message& message) {
    std::size_t n = 0;
    for (const auto& e : message.embeds) n += embedChars(e);
    return n;
}

Message fitToLimits(Message m) {
    m.content = truncateTo(m.content, limits::content);
    m.username = truncateTo(m.username, limits::username);
    m.avatarUrl = sanitizeUtf8(m.avatarUrl);
    if (m.embeds.size() > limits::embeds) {
        const std::size_t hidden = m.embeds.size() - limits::embeds;
        m.embeds.resize(limits::embeds);
        m.embeds.back().footer = std::to_string(hidden + 1) + " messages combined; " + std::to_string(hidden) + " not shown";
    }
    for (auto& e : m.embeds) fitEmbed(e);
    fitTotal(m);
    for (auto it = m.embeds.begin(); it != m.embeds.end();) it = emptyEmbed(*it) ? m.embeds.erase(it) : it + 1;
    // Discord refuses a message with neither content nor embeds (50006).
    if (m.content.empty() && m.embeds.empty()) m.content = "(empty message)";
    return m;
}

std::string toJson(const Message& original) {
    const Message m = fitToLimits(original);
    Poco::JSON::Object::Ptr root = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (!m.username.empty()) root->set("username", m.username);
    if (!m.avatarUrl.empty()) root->set("avatar_url", m.avatarUrl);
    if (!m.content.empty()) root->set("content", m.content);
    if (!m.embeds.empty()) {
        Poco::JSON::Array::Ptr embeds = new Poco::JSON::Array;
        for (const auto& e : m.embeds) embeds->add(embedJson(e));
        root->set("embeds", embeds);
    }
    // Always explicit: stream titles and check texts are not ours, and @everyone must never ping
    // (protocols.md 2.3). Only the configured role may.
    Poco::JSON::Object::Ptr mentions = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    mentions->set("parse", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
    if (!m.mentionRoles.empty()) {
        Poco::JSON::Array::Ptr roles = new Poco::JSON::Array;
        for (const auto& r : m.mentionRoles) roles->add(r);
        mentions->set("roles", roles);
    }
    root->set("allowed_mentions", mentions);
    std::ostringstream out;
    root->stringify(out);
    return out.str();
}

}  // namespace watchdog::discord_notify
