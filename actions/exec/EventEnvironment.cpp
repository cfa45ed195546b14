#include "EventEnvironment.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cctype>
#include <sstream>

namespace watchdog::exec {

namespace {

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
    return out;
}

// "public_ip" -> "PUBLIC_IP"; anything outside [A-Z0-9_] becomes '_'.
std::string envName(const std::string& key) {
    std::string out;
    for (unsigned char c : key) out += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
    return out;
}

Poco::JSON::Object::Ptr detailsJson(const Details& details) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [k, v] : details) o->set(k, v);
    return o;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> eventEnvironment(const Event& event, const ActionContext& context) {
    std::vector<std::string> labels;
    for (const auto& id : event.failing) {
        std::string label = id;
        for (const auto& c : event.checks)
            if (c.id == id && !c.label.empty()) label = c.label;
        labels.push_back(label);
    }
    std::vector<std::pair<std::string, std::string>> env{
        {"WATCHDOG_EVENT", toString(event.type)},
        {"WATCHDOG_SUMMARY", event.summary},
        {"WATCHDOG_FAILING", join(event.failing)},
        {"WATCHDOG_FAILING_LABELS", join(labels)},
        {"WATCHDOG_INCIDENT", event.incident},
        {"WATCHDOG_RULE", event.rule},
        {"WATCHDOG_PIPELINE", event.pipeline},
        {"WATCHDOG_TIME", toIso8601(event.time)},
        {"WATCHDOG_TIME_MS", std::to_string(toEpochMs(event.time))},
        {"WATCHDOG_DEADLINE", event.deadline ? toIso8601(*event.deadline) : ""},
        {"WATCHDOG_DURATION_MS", event.duration ? std::to_string(event.duration->count()) : ""},
        {"WATCHDOG_CHECK", event.checkId},
        {"WATCHDOG_ACTION", event.action},
        {"WATCHDOG_OK", event.type == EventType::Outcome ? (event.ok ? "1" : "0") : ""},
        {"WATCHDOG_ACTION_ID", context.id},
        {"WATCHDOG_DRY_RUN", context.dryRun ? "1" : "0"},
    };
    for (const auto& [k, v] : event.details) env.emplace_back("WATCHDOG_DETAIL_" + envName(k), v);
    return env;
}

std::string eventJson(const Event& event) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("type", std::string(toString(event.type)));
    o->set("time", toIso8601(event.time));
    o->set("time_ms", toEpochMs(event.time));
    o->set("pipeline", event.pipeline);
    o->set("rule", event.rule);
    o->set("incident", event.incident);
    o->set("summary", event.summary);
    Poco::JSON::Array::Ptr failing = new Poco::JSON::Array;
    for (const auto& id : event.failing) failing->add(id);
    o->set("failing", failing);
    if (event.deadline) o->set("deadline", toIso8601(*event.deadline));
    if (event.duration) o->set("duration_ms", static_cast<long long>(event.duration->count()));
    if (!event.checkId.empty()) o->set("check", event.checkId);
    if (event.type == EventType::Outcome) {
        o->set("action", event.action);
        o->set("ok", event.ok);
    }
    o->set("details", detailsJson(event.details));
    Poco::JSON::Array::Ptr checks = new Poco::JSON::Array;
    for (const auto& c : event.checks) {
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("id", c.id);
        j->set("label", c.label);
        j->set("health", std::string(toString(c.health)));
        if (c.hasResult) {
            j->set("status", std::string(toString(c.last.status)));
            j->set("summary", c.last.summary);
            if (c.last.value) j->set("value", *c.last.value);
            if (!c.last.unit.empty()) j->set("unit", c.last.unit);
            j->set("details", detailsJson(c.last.details));
            j->set("last_run", toIso8601(c.lastRun));
        }
        j->set("consecutive", c.consecutive);
        checks->add(j);
    }
    o->set("checks", checks);
    std::ostringstream out;
    o->stringify(out);
    return out.str();
}

}  // namespace watchdog::exec
