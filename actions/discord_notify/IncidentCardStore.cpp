#include "IncidentCardStore.h"

#include <watchdog/AtomicFile.h>

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace watchdog::discord_notify {

namespace {

constexpr auto kKeepFor = std::chrono::hours(24 * 7);
constexpr std::size_t kKeepAtMost = 100;

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr toJson(const IncidentCard& card) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("incident", card.incident);
    o->set("rule", card.rule);
    o->set("pipeline", card.pipeline);
    o->set("message_id", card.messageId);
    o->set("content", card.content);
    o->set("opened_ms", toEpochMs(card.opened));
    Array::Ptr steps = new Array;
    for (const auto& s : card.steps) {
        Object::Ptr step = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        step->set("at_ms", toEpochMs(s.time));
        step->set("text", s.text);
        steps->add(step);
    }
    o->set("steps", steps);
    return o;
}

IncidentCard fromJson(const Object::Ptr& o) {
    IncidentCard card;
    card.incident = o->getValue<std::string>("incident");
    card.rule = o->optValue<std::string>("rule", "");
    card.pipeline = o->optValue<std::string>("pipeline", "");
    card.messageId = o->optValue<std::string>("message_id", "");
    card.content = o->optValue<std::string>("content", "");
    card.opened = fromEpochMs(o->optValue<Poco::Int64>("opened_ms", 0));
    if (Array::Ptr steps = o->getArray("steps"))
        for (std::size_t i = 0; i < steps->size(); ++i) {
            Object::Ptr s = steps->getObject(static_cast<unsigned>(i));
            if (s) card.steps.push_back({fromEpochMs(s->optValue<Poco::Int64>("at_ms", 0)), s->optValue<std::string>("text", "")});
        }
    return card;
}

TimePoint lastEvent(const IncidentCard& card) { return card.steps.empty() ? card.opened : card.steps.back().time; }

}  // namespace

IncidentCardStore::IncidentCardStore(std::string path) : path_(std::move(path)) {}

std::string IncidentCardStore::load() {
    cards_.clear();
    if (path_.empty()) return "";
    std::ifstream in(path_, std::ios::binary);
    if (!in) return "";
    std::ostringstream text;
    text << in.rdbuf();
    try {
        Poco::JSON::Parser parser;
        Object::Ptr root = parser.parse(text.str()).extract<Object::Ptr>();
        Array::Ptr cards = root ? root->getArray("cards") : nullptr;
        if (!cards) return path_ + ": no \"cards\" list";
        for (std::size_t i = 0; i < cards->size(); ++i) {
            Object::Ptr c = cards->getObject(static_cast<unsigned>(i));
            if (!c || !c->has("incident")) return path_ + ": cards[" + std::to_string(i) + "].incident: missing";
            cards_.push_back(fromJson(c));
        }
    } catch (const std::exception& e) {
        cards_.clear();
        return path_ + ": " + e.what();
    }
    return "";
}

IncidentCard* IncidentCardStore::find(const std::string& incident) {
    for (auto& c : cards_)
        if (c.incident == incident) return &c;
    return nullptr;
}

IncidentCard& IncidentCardStore::open(const Event& event, const std::string& content) {
    IncidentCard card;
    card.incident = event.incident;
    card.rule = event.rule;
    card.pipeline = event.pipeline;
    card.content = content;
    card.opened = event.time;
    cards_.push_back(std::move(card));
    return cards_.back();
}

std::string IncidentCardStore::save(TimePoint now) {
    cards_.erase(std::remove_if(cards_.begin(), cards_.end(), [&](const IncidentCard& c) { return now - lastEvent(c) > kKeepFor; }),
                 cards_.end());
    if (cards_.size() > kKeepAtMost) cards_.erase(cards_.begin(), cards_.end() - static_cast<std::ptrdiff_t>(kKeepAtMost));
    if (path_.empty()) return "";
    Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("version", 1);
    Array::Ptr cards = new Array;
    for (const auto& c : cards_) cards->add(toJson(c));
    root.set("cards", cards);
    std::ostringstream out;
    root.stringify(out, 2);
    out << "\n";
    try {
        writeFileAtomically(path_, out.str());
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace watchdog::discord_notify
