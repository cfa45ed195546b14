#include "history/RecordJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace watchdog {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr detailsToJson(const Details& details) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [k, v] : details) o->set(k, v);
    return o;
}

Details detailsFromJson(const Object::Ptr& o) {
    Details out;
    if (!o) return out;
    for (const auto& name : o->getNames()) out.emplace_back(name, o->get(name).convert<std::string>());
    return out;
}

std::string text(const Object::Ptr& o, const std::string& key) {
    if (!o->has(key) || o->get(key).isEmpty()) return {};
    return o->get(key).convert<std::string>();
}

[[noreturn]] void bad(const std::string& field, const std::string& why) {
    throw std::runtime_error("record field '" + field + "': " + why);
}

TimePoint timeField(const Object::Ptr& o, const std::string& key, const std::string& where) {
    auto t = parseIso8601(text(o, key));
    if (!t) bad(where, "not an ISO 8601 UTC time: '" + text(o, key) + "'");
    return *t;
}

Object::Ptr eventToJson(const Event& e) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("type", std::string(toString(e.type)));
    o->set("rule", e.rule);
    o->set("incident", e.incident);
    o->set("summary", e.summary);
    Array::Ptr failing = new Array;
    for (const auto& id : e.failing) failing->add(id);
    o->set("failing", failing);
    if (e.deadline) o->set("deadline", toIso8601(*e.deadline));
    if (e.duration) o->set("duration_ms", static_cast<Poco::Int64>(e.duration->count()));
    o->set("action", e.action);
    o->set("ok", e.ok);
    o->set("details", detailsToJson(e.details));
    return o;
}

Event eventFromJson(const Object::Ptr& o) {
    Event e;
    const std::string type = text(o, "type");
    auto t = eventTypeFromString(type);
    if (!t) bad("event.type", "unknown event type '" + type + "'");
    e.type = *t;
    e.rule = text(o, "rule");
    e.incident = text(o, "incident");
    e.summary = text(o, "summary");
    if (auto failing = o->getArray("failing"))
        for (std::size_t i = 0; i < failing->size(); ++i) e.failing.push_back(failing->get(i).convert<std::string>());
    if (o->has("deadline") && !o->get("deadline").isEmpty()) e.deadline = timeField(o, "deadline", "event.deadline");
    if (o->has("duration_ms") && !o->get("duration_ms").isEmpty())
        e.duration = std::chrono::milliseconds(o->getValue<Poco::Int64>("duration_ms"));
    e.action = text(o, "action");
    e.ok = o->has("ok") ? o->getValue<bool>("ok") : true;
    e.details = detailsFromJson(o->getObject("details"));
    return e;
}

}  // namespace

std::optional<Status> statusFromString(const std::string& word) {
    if (word == "pass") return Status::Pass;
    if (word == "fail") return Status::Fail;
    if (word == "error") return Status::Error;
    return std::nullopt;
}

std::optional<TimePoint> parseIso8601(const std::string& s) {
    int y, mo, d, h, mi, sec, n = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return std::nullopt;
    std::size_t pos = 19;
    int ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        int digits = 0;
        ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 3) ms = ms * 10 + (s[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0) return std::nullopt;
        for (int i = digits; i < 3; ++i) ms *= 10;
    }
    if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    const long long secs = static_cast<long long>(timegm(&tm));
    return fromEpochMs(secs * 1000 + ms);
}

Poco::JSON::Object::Ptr recordToJson(const Record& r) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    const bool isEvent = r.kind == RecordKind::Event;
    o->set("kind", std::string(isEvent ? "event" : "result"));
    o->set("seq", static_cast<Poco::UInt64>(r.sequence));
    o->set("time", toIso8601(r.time));
    o->set("pipeline", r.pipeline);
    o->set("check", isEvent && r.checkId.empty() ? r.event.checkId : r.checkId);
    o->set("label", r.checkLabel);
    if (isEvent) {
        o->set("event", eventToJson(r.event));
        return o;
    }
    o->set("status", std::string(toString(r.result.status)));
    o->set("summary", r.result.summary);
    if (r.result.value) o->set("value", *r.result.value);
    else o->set("value", Poco::Dynamic::Var());
    o->set("unit", r.result.unit);
    o->set("details", detailsToJson(r.result.details));
    o->set("duration_ms", static_cast<Poco::Int64>(r.duration.count()));
    return o;
}

// recordToJsonLine writes the same text as condensing recordToJson(), by hand: it runs for every
// record of the spool, the jsonl sink and the sqlite sink, and Poco's object model costs ~10x more.
namespace {

void appendString(std::string& out, const std::string& s) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

void appendKey(std::string& out, const char* key) {
    out += '"';
    out += key;
    out += "\":";
}

void appendField(std::string& out, const char* key, const std::string& value) {
    appendKey(out, key);
    appendString(out, value);
    out += ',';
}

void appendNumber(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

void appendDetails(std::string& out, const Details& details) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : details) {
        if (!first) out += ',';
        first = false;
        appendString(out, k);
        out += ':';
        appendString(out, v);
    }
    out += '}';
}

}  // namespace

std::string recordToJsonLine(const Record& r) {
    std::string out;
    out.reserve(320);
    const bool isEvent = r.kind == RecordKind::Event;
    out += isEvent ? "{\"kind\":\"event\"," : "{\"kind\":\"result\",";
    appendKey(out, "seq");
    out += std::to_string(r.sequence);
    out += ',';
    appendField(out, "time", toIso8601(r.time));
    appendField(out, "pipeline", r.pipeline);
    appendField(out, "check", isEvent && r.checkId.empty() ? r.event.checkId : r.checkId);
    appendKey(out, "label");
    appendString(out, r.checkLabel);
    out += ',';
    if (isEvent) {
        const Event& e = r.event;
        out += "\"event\":{";
        appendField(out, "type", toString(e.type));
        appendField(out, "rule", e.rule);
        appendField(out, "incident", e.incident);
        appendField(out, "summary", e.summary);
        out += "\"failing\":[";
        for (std::size_t i = 0; i < e.failing.size(); ++i) {
            if (i) out += ',';
            appendString(out, e.failing[i]);
        }
        out += "],";
        if (e.deadline) appendField(out, "deadline", toIso8601(*e.deadline));
        if (e.duration) {
            appendKey(out, "duration_ms");
            out += std::to_string(e.duration->count());
            out += ',';
        }
        appendField(out, "action", e.action);
        out += e.ok ? "\"ok\":true," : "\"ok\":false,";
        appendKey(out, "details");
        appendDetails(out, e.details);
        out += "}}";
        return out;
    }
    appendField(out, "status", toString(r.result.status));
    appendField(out, "summary", r.result.summary);
    appendKey(out, "value");
    if (r.result.value) appendNumber(out, *r.result.value);
    else out += "null";
    out += ',';
    appendField(out, "unit", r.result.unit);
    appendKey(out, "details");
    appendDetails(out, r.result.details);
    out += ',';
    appendKey(out, "duration_ms");
    out += std::to_string(r.duration.count());
    out += '}';
    return out;
}

Record recordFromJson(const Poco::JSON::Object::Ptr& o) {
    if (!o) throw std::runtime_error("record: not a JSON object");
    Record r;
    try {
        const std::string kind = text(o, "kind");
        if (kind == "event") r.kind = RecordKind::Event;
        else if (kind == "result") r.kind = RecordKind::Result;
        else bad("kind", "expected 'result' or 'event', got '" + kind + "'");
        if (!o->has("seq")) bad("seq", "missing");
        r.sequence = o->getValue<Poco::UInt64>("seq");
        r.time = timeField(o, "time", "time");
        r.pipeline = text(o, "pipeline");
        r.checkId = text(o, "check");
        r.checkLabel = text(o, "label");
        if (r.kind == RecordKind::Event) {
            auto ev = o->getObject("event");
            if (!ev) bad("event", "missing");
            r.event = eventFromJson(ev);
            r.event.time = r.time;
            r.event.pipeline = r.pipeline;
            r.event.checkId = r.checkId;
            return r;
        }
        const std::string status = text(o, "status");
        auto s = statusFromString(status);
        if (!s) bad("status", "expected pass, fail or error, got '" + status + "'");
        r.result.status = *s;
        r.result.summary = text(o, "summary");
        if (o->has("value") && !o->get("value").isEmpty()) r.result.value = o->getValue<double>("value");
        r.result.unit = text(o, "unit");
        r.result.details = detailsFromJson(o->getObject("details"));
        if (o->has("duration_ms")) r.duration = std::chrono::milliseconds(o->getValue<Poco::Int64>("duration_ms"));
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("record: " + e.displayText());
    }
    return r;
}

Record recordFromJsonLine(const std::string& line) {
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
        parsed = parser.parse(line);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("record: bad JSON: " + e.displayText());
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) throw std::runtime_error("record: not a JSON object");
    return recordFromJson(parsed.extract<Poco::JSON::Object::Ptr>());
}

}  // namespace watchdog
