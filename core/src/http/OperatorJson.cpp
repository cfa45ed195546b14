#include "http/OperatorJson.h"

#include "http/TextEscaping.h"

#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>

namespace watchdog {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using Why = OperatorRequestRefused::Why;

constexpr std::size_t kMaxReasonBytes = 500;

Object::Ptr newObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Object::Ptr parseObject(const std::string& body, const std::set<std::string>& fields) {
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) return newObject();
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parsed = parser.parse(body);
    } catch (const Poco::Exception& e) {
        throw OperatorRequestRefused(Why::BadInput, "the body is not JSON (" + e.message() + ")");
    }
    if (parsed.type() != typeid(Object::Ptr)) throw OperatorRequestRefused(Why::BadInput, "the body must be a JSON object");
    Object::Ptr o = parsed.extract<Object::Ptr>();
    for (const auto& name : o->getNames())
        if (!fields.count(name)) {
            std::string known;
            for (const auto& f : fields) known += (known.empty() ? "" : ", ") + f;
            throw OperatorRequestRefused(Why::BadInput, "unknown field '" + name + "' (known: " + known + ")");
        }
    return o;
}

std::string text(const Object::Ptr& o, const std::string& field) {
    if (!o->has(field) || o->isNull(field)) return "";
    const Poco::Dynamic::Var v = o->get(field);
    if (!v.isString()) throw OperatorRequestRefused(Why::BadInput, "field '" + field + "' must be a string");
    std::string s = v.extract<std::string>();
    if (s.size() > kMaxReasonBytes)
        throw OperatorRequestRefused(Why::BadInput, "field '" + field + "' is longer than " + std::to_string(kMaxReasonBytes) + " bytes");
    return s;
}

std::string by(const Object::Ptr& o) {
    const std::string who = text(o, "by");
    return who.empty() ? "http" : who;
}

Poco::Dynamic::Var timeOrNull(TimePoint t) {
    if (t == TimePoint{}) return Poco::Dynamic::Var();
    return toIso8601(t);
}

std::string stringify(const Object::Ptr& o) {
    std::ostringstream out;
    o->stringify(out);
    return escapeJsonText(out.str());
}

}  // namespace

MaintenanceRequest parseMaintenanceBody(const std::string& body, TimePoint now) {
    const Object::Ptr o = parseObject(body, {"duration", "check", "rule", "reason", "by", "end"});
    MaintenanceRequest r;
    r.at = now;
    r.by = by(o);
    r.reason = text(o, "reason");
    const std::string check = text(o, "check"), rule = text(o, "rule");
    if (!check.empty() && !rule.empty()) throw OperatorRequestRefused(Why::BadInput, "give either 'check' or 'rule', not both");
    if (!check.empty()) r.scope = MaintenanceScope::Check, r.id = check;
    if (!rule.empty()) r.scope = MaintenanceScope::Rule, r.id = rule;
    if (o->has("end")) {
        const Poco::Dynamic::Var end = o->get("end");
        if (!end.isBoolean()) throw OperatorRequestRefused(Why::BadInput, "field 'end' must be true or false");
        r.end = end.extract<bool>();
    }
    const std::string duration = text(o, "duration");
    if (r.end) {
        if (!duration.empty()) throw OperatorRequestRefused(Why::BadInput, "give either 'duration' or 'end', not both");
        return r;
    }
    if (duration.empty()) throw OperatorRequestRefused(Why::BadInput, "field 'duration' is missing (e.g. \"1h\"), or give \"end\": true");
    try {
        r.length = parseMaintenanceLength(duration);
    } catch (const std::invalid_argument& e) {
        throw OperatorRequestRefused(Why::BadInput, std::string("duration: ") + e.what());
    }
    return r;
}

AckRequest parseAckBody(const std::string& body, TimePoint now) {
    const Object::Ptr o = parseObject(body, {"rule", "reason", "by"});
    return AckRequest{text(o, "rule"), text(o, "reason"), by(o), now};
}

Array::Ptr maintenanceJson(const std::vector<MaintenanceWindow>& windows) {
    Array::Ptr list = new Array;
    for (const auto& w : windows) {
        Object::Ptr o = newObject();
        o->set("scope", std::string(toString(w.scope)));
        o->set("id", w.id);
        o->set("until", timeOrNull(w.until));
        o->set("started", timeOrNull(w.started));
        o->set("reason", w.reason);
        o->set("by", w.by);
        Array::Ptr failed = new Array;
        for (const auto& id : w.failed) failed->add(id);
        o->set("failed", failed);
        list->add(o);
    }
    return list;
}

Object::Ptr acknowledgementJson(const Acknowledgement& ack) {
    Object::Ptr o = newObject();
    o->set("by", ack.by);
    o->set("reason", ack.reason);
    o->set("at", timeOrNull(ack.at));
    return o;
}

std::string renderMaintenanceReply(const std::vector<MaintenanceWindow>& windows) {
    Object::Ptr o = newObject();
    o->set("maintenance", maintenanceJson(windows));
    return stringify(o);
}

std::string renderAckReply(const AckReply& reply) {
    Object::Ptr o = newObject();
    o->set("rule", reply.rule);
    o->set("incident", reply.incident);
    o->set("acknowledged", acknowledgementJson(reply.acknowledged));
    return stringify(o);
}

}  // namespace watchdog
