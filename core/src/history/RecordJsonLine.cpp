#include "history/JsonReader.h"
#include "history/RecordJson.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

// The line form of a record, written and read by hand: the spool, the jsonl sink and the sqlite sink
// go through it for every record, and Poco::JSON's object model costs ~10x more each way. The text is
// exactly what condensing recordToJson() gives (a unit test holds the two together).

namespace watchdog {

namespace {

void appendString(std::string& out, const std::string& s) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
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
    if (r.result.value)
        appendNumber(out, *r.result.value);
    else
        out += "null";
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

namespace {

[[noreturn]] void bad(const std::string& field, const std::string& why) {
    throw std::runtime_error("record field '" + field + "': " + why);
}

// Missing and null read as ""; numbers and booleans as written (as Poco's convert<std::string> does).
std::string textOf(const JsonValue* v, const std::string& field) {
    if (!v) return {};
    switch (v->type) {
        case JsonValue::Type::Null:
            return {};
        case JsonValue::Type::String:
        case JsonValue::Type::Number:
            return v->text;
        case JsonValue::Type::Bool:
            return v->boolean ? "true" : "false";
        default:
            bad(field, "expected a string");
    }
}

std::string textField(const JsonValue& o, const std::string& key, const std::string& where) { return textOf(o.find(key), where); }

const JsonValue* numberField(const JsonValue& o, const std::string& key, const std::string& where) {
    const JsonValue* v = o.find(key);
    if (!v || v->type == JsonValue::Type::Null) return nullptr;
    if (v->type != JsonValue::Type::Number) bad(where, "expected a number");
    return v;
}

long long wholeNumber(const JsonValue& v, const std::string& where) {
    char* end = nullptr;
    const long long n = std::strtoll(v.text.c_str(), &end, 10);
    if (*end != '\0') bad(where, "expected a whole number, got " + v.text);
    return n;
}

TimePoint timeField(const JsonValue& o, const std::string& key, const std::string& where) {
    const std::string text = textField(o, key, where);
    auto t = parseIso8601(text);
    if (!t) bad(where, "not an ISO 8601 UTC time: '" + text + "'");
    return *t;
}

Details detailsField(const JsonValue& o, const std::string& where) {
    Details out;
    const JsonValue* d = o.find("details");
    if (!d || d->type == JsonValue::Type::Null) return out;
    if (d->type != JsonValue::Type::Object) bad(where, "expected an object");
    for (const auto& [k, v] : d->members) out.emplace_back(k, textOf(&v, where + "." + k));
    return out;
}

Event eventFrom(const JsonValue& o) {
    if (o.type != JsonValue::Type::Object) bad("event", "expected an object");
    Event e;
    const std::string type = textField(o, "type", "event.type");
    auto t = eventTypeFromString(type);
    if (!t) bad("event.type", "unknown event type '" + type + "'");
    e.type = *t;
    e.rule = textField(o, "rule", "event.rule");
    e.incident = textField(o, "incident", "event.incident");
    e.summary = textField(o, "summary", "event.summary");
    if (const JsonValue* failing = o.find("failing")) {
        if (failing->type != JsonValue::Type::Array && failing->type != JsonValue::Type::Null) bad("event.failing", "expected a list");
        for (const auto& item : failing->items) e.failing.push_back(textOf(&item, "event.failing"));
    }
    if (o.find("deadline") && o.find("deadline")->type != JsonValue::Type::Null) e.deadline = timeField(o, "deadline", "event.deadline");
    if (const JsonValue* d = numberField(o, "duration_ms", "event.duration_ms"))
        e.duration = std::chrono::milliseconds(wholeNumber(*d, "event.duration_ms"));
    e.action = textField(o, "action", "event.action");
    if (const JsonValue* ok = o.find("ok")) {
        if (ok->type != JsonValue::Type::Bool) bad("event.ok", "expected true or false");
        e.ok = ok->boolean;
    }
    e.details = detailsField(o, "event.details");
    return e;
}

}  // namespace

Record recordFromJsonLine(const std::string& line) {
    JsonValue o;
    try {
        o = parseJson(line);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(std::string("record: ") + e.what());
    }
    if (o.type != JsonValue::Type::Object) throw std::runtime_error("record: not a JSON object");
    Record r;
    const std::string kind = textField(o, "kind", "kind");
    if (kind == "event")
        r.kind = RecordKind::Event;
    else if (kind == "result")
        r.kind = RecordKind::Result;
    else
        bad("kind", "expected 'result' or 'event', got '" + kind + "'");
    const JsonValue* seq = numberField(o, "seq", "seq");
    if (!seq) bad("seq", "missing");
    char* end = nullptr;
    r.sequence = std::strtoull(seq->text.c_str(), &end, 10);
    if (*end != '\0' || seq->text[0] == '-') bad("seq", "expected a whole number, got " + seq->text);
    r.time = timeField(o, "time", "time");
    r.pipeline = textField(o, "pipeline", "pipeline");
    r.checkId = textField(o, "check", "check");
    r.checkLabel = textField(o, "label", "label");
    if (r.kind == RecordKind::Event) {
        const JsonValue* ev = o.find("event");
        if (!ev) bad("event", "missing");
        r.event = eventFrom(*ev);
        r.event.time = r.time;
        r.event.pipeline = r.pipeline;
        r.event.checkId = r.checkId;
        return r;
    }
    const std::string status = textField(o, "status", "status");
    auto s = statusFromString(status);
    if (!s) bad("status", "expected pass, fail or error, got '" + status + "'");
    r.result.status = *s;
    r.result.summary = textField(o, "summary", "summary");
    if (const JsonValue* v = numberField(o, "value", "value")) r.result.value = std::strtod(v->text.c_str(), nullptr);
    r.result.unit = textField(o, "unit", "unit");
    r.result.details = detailsField(o, "details");
    if (const JsonValue* d = numberField(o, "duration_ms", "duration_ms"))
        r.duration = std::chrono::milliseconds(wholeNumber(*d, "duration_ms"));
    return r;
}

}  // namespace watchdog
