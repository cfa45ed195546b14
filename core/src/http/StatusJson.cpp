#include "http/StatusJson.h"

#include "http/TextEscaping.h"
#include <watchdog/HumanFormat.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>
#include <sstream>

namespace watchdog {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr newObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Poco::Dynamic::Var timeOrNull(TimePoint t) {
    if (t == TimePoint{}) return Poco::Dynamic::Var();
    return toIso8601(t);
}

// JSON has no NaN or infinity: a check that measured one shows null.
Poco::Dynamic::Var numberOrNull(const std::optional<double>& v) {
    if (!v || !std::isfinite(*v)) return Poco::Dynamic::Var();
    return *v;
}

Object::Ptr resultJson(const Result& r) {
    Object::Ptr o = newObject();
    o->set("status", toString(r.status));
    o->set("summary", r.summary);
    o->set("value", numberOrNull(r.value));
    o->set("unit", r.unit);
    Object::Ptr details = newObject();
    for (const auto& [key, value] : r.details) details->set(key, value);
    o->set("details", details);
    Array::Ptr metrics = new Array;
    for (const auto& m : r.metrics) {
        Object::Ptr metric = newObject();
        metric->set("name", m.name);
        metric->set("value", numberOrNull(m.value));
        Object::Ptr labels = newObject();
        for (const auto& [key, value] : m.labels) labels->set(key, value);
        metric->set("labels", labels);
        metrics->add(metric);
    }
    o->set("metrics", metrics);
    return o;
}

Object::Ptr checkJson(const CheckStatus& c) {
    const CheckSnapshot& s = c.snapshot;
    Object::Ptr o = newObject();
    o->set("id", s.id);
    o->set("label", s.label);
    o->set("plugin", c.plugin);
    o->set("state", toString(s.health));
    o->set("since", timeOrNull(s.since));
    o->set("last_run", s.hasResult ? timeOrNull(s.lastRun) : Poco::Dynamic::Var());
    o->set("value", s.hasResult ? numberOrNull(s.last.value) : Poco::Dynamic::Var());
    o->set("unit", s.last.unit);
    // The value as people read it ("1 source", "2.2 %", "9.4 s"), rounded the way messages round it.
    o->set("value_text",
           s.hasResult && s.last.value ? Poco::Dynamic::Var(human::quantity(*s.last.value, s.last.unit)) : Poco::Dynamic::Var());
    o->set("last", s.hasResult ? Poco::Dynamic::Var(resultJson(s.last)) : Poco::Dynamic::Var());
    o->set("consecutive", s.consecutive);
    o->set("flapping", s.flapping);
    o->set("interval_seconds", static_cast<double>(c.interval.count()) / 1000.0);
    Object::Ptr counts = newObject();
    counts->set("pass", c.passes);
    counts->set("fail", c.failures);
    counts->set("error", c.errors);
    o->set("results", counts);
    return o;
}

Object::Ptr ruleJson(const RuleStatus& r) {
    Object::Ptr o = newObject();
    o->set("id", r.id);
    o->set("state", r.phase);
    o->set("incident", r.incident.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(r.incident));
    o->set("deadline", r.deadline ? timeOrNull(*r.deadline) : Poco::Dynamic::Var());
    if (r.limit) {
        Object::Ptr limit = newObject();
        limit->set("count", r.limit->count);
        limit->set("per_seconds", static_cast<double>(r.limit->per.count()) / 1000.0);
        limit->set("runs", r.limit->runs);
        limit->set("reopens", r.limit->reopens ? timeOrNull(*r.limit->reopens) : Poco::Dynamic::Var());
        o->set("limit", limit);
    }
    o->set("acknowledged", r.acknowledged ? Poco::Dynamic::Var(acknowledgementJson(*r.acknowledged)) : Poco::Dynamic::Var());
    return o;
}

Object::Ptr actionJson(const ActionStatus& a) {
    Object::Ptr o = newObject();
    o->set("id", a.id);
    o->set("plugin", a.plugin);
    o->set("role", a.role);
    o->set("succeeded", a.succeeded);
    o->set("failed", a.failed);
    o->set("queued", static_cast<std::uint64_t>(a.queued));
    return o;
}

Object::Ptr sinkJson(const SinkStatus& s) {
    Object::Ptr o = newObject();
    o->set("id", s.id);
    o->set("plugin", s.plugin);
    o->set("queued", static_cast<std::uint64_t>(s.queue.queued));
    o->set("spooled_records", s.queue.spooledRecords);
    o->set("spool_bytes", s.queue.spoolBytes);
    o->set("written", s.queue.written);
    o->set("failures", s.queue.failures);
    o->set("last_error", s.queue.lastError);
    return o;
}

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

// `ha`: node, leader, leading, may_act, token, lease_age_seconds, ttl_seconds, database (up or down),
// when_db_down, error.
Object::Ptr haJson(const HaStatus& ha) {
    Object::Ptr o = newObject();
    o->set("node", ha.node);
    o->set("leader", ha.leader);
    o->set("leading", ha.leading);
    o->set("may_act", ha.mayAct);
    o->set("token", ha.token);
    o->set("lease_age_seconds", ha.leaseAge ? Poco::Dynamic::Var(seconds(*ha.leaseAge)) : Poco::Dynamic::Var());
    o->set("ttl_seconds", seconds(ha.ttl));
    o->set("database", ha.databaseUp ? "up" : "down");
    o->set("when_db_down", ha.whenDbDown);
    o->set("error", ha.error);
    return o;
}

}  // namespace

std::string renderStatusJson(const StatusSnapshot& snapshot) {
    Object::Ptr root = newObject();
    root->set("pipeline", snapshot.pipeline);
    root->set("version", snapshot.version);
    if (snapshot.ha) root->set("ha", haJson(*snapshot.ha));
    root->set("started", timeOrNull(snapshot.started));
    root->set("now", timeOrNull(snapshot.now));
    const auto uptime = std::chrono::duration_cast<std::chrono::milliseconds>(snapshot.now - snapshot.started);
    root->set("uptime_seconds", snapshot.started == TimePoint{} ? 0.0 : static_cast<double>(uptime.count()) / 1000.0);
    Array::Ptr checks = new Array;
    for (const auto& c : snapshot.checks) checks->add(checkJson(c));
    root->set("checks", checks);
    Array::Ptr rules = new Array;
    for (const auto& r : snapshot.rules) rules->add(ruleJson(r));
    root->set("rules", rules);
    Array::Ptr actions = new Array;
    for (const auto& a : snapshot.actions) actions->add(actionJson(a));
    root->set("actions", actions);
    Array::Ptr sinks = new Array;
    for (const auto& s : snapshot.sinks) sinks->add(sinkJson(s));
    root->set("sinks", sinks);
    root->set("maintenance", maintenanceJson(snapshot.maintenance));
    std::ostringstream out;
    root->stringify(out);
    return escapeJsonText(out.str());
}

}  // namespace watchdog
