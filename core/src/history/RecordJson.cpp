#include "history/RecordJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

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

}  // namespace

std::optional<Status> statusFromString(const std::string& word) {
    if (word == "pass") return Status::Pass;
    if (word == "fail") return Status::Fail;
    if (word == "error") return Status::Error;
    return std::nullopt;
}

std::optional<TimePoint> parseIso8601(const std::string& s) {
    int y, mo, d, h, mi, sec, n = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19) return std::nullopt;
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
    if (r.result.value)
        o->set("value", *r.result.value);
    else
        o->set("value", Poco::Dynamic::Var());
    o->set("unit", r.result.unit);
    o->set("details", detailsToJson(r.result.details));
    o->set("duration_ms", static_cast<Poco::Int64>(r.duration.count()));
    return o;
}

Record recordFromJson(const Poco::JSON::Object::Ptr& o) {
    if (!o) throw std::runtime_error("record: not a JSON object");
    std::ostringstream text;
    Poco::JSON::Stringifier::condense(o, text);
    return recordFromJsonLine(text.str());
}

}  // namespace watchdog
