#include "http/IncidentTimeline.h"

#include "history/MaintenancePeriods.h"
#include "http/TextEscaping.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace watchdog {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// No check has this id: a history query for it returns the events alone.
const char* const kEventsOnly = "\x01events-only";
constexpr std::size_t kMaxResults = 100000;

std::string detail(const Event& e, const std::string& key) {
    for (const auto& [k, v] : e.details)
        if (k == key) return v;
    return "";
}

bool isType(const Event& e, const char* type) { return std::string(toString(e.type)) == type; }

Object::Ptr tallyJson(const CheckTally& t, std::chrono::milliseconds maintenance) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    const std::size_t results = t.pass + t.fail + t.error;
    o->set("percent", results == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(std::round(t.passingPercent() * 100.0) / 100.0));
    o->set("results", static_cast<Poco::UInt64>(results));
    o->set("failing", static_cast<Poco::UInt64>(t.fail));
    o->set("errors", static_cast<Poco::UInt64>(t.error));
    o->set("maintenance_seconds", static_cast<Poco::Int64>(maintenance.count() / 1000));
    return o;
}

Object::Ptr eventJson(const Event& e) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("type", std::string(toString(e.type)));
    o->set("time", toIso8601(e.time));
    o->set("summary", e.summary);
    if (!e.action.empty()) o->set("action", e.action);
    if (e.type == EventType::Outcome) o->set("ok", e.ok);
    if (!detail(e, "by").empty()) o->set("by", detail(e, "by"));
    if (!detail(e, "reason").empty()) o->set("reason", detail(e, "reason"));
    return o;
}

Object::Ptr incidentJson(const std::string& id, const std::vector<const Event*>& events, bool open, TimePoint now) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    const Event& first = *events.front();
    o->set("incident", id);
    o->set("rule", first.rule);
    o->set("open", open);
    o->set("started", toIso8601(first.time));
    // The outage ends with the recovery (or the cancelled countdown); a failback comes later.
    std::optional<TimePoint> ended;
    std::string outcome = open ? "open" : "closed";
    Poco::Dynamic::Var acknowledged;
    Array::Ptr list = new Array;
    for (const Event* e : events) {
        if (e->type == EventType::Recovered || e->type == EventType::Cancelled) {
            ended = e->time;
            if (!open) outcome = toString(e->type);
        }
        if (e->type == EventType::Failback && !open) outcome = "failed back";
        if (isType(*e, "acknowledged")) {
            Object::Ptr a = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
            a->set("by", detail(*e, "by"));
            a->set("reason", detail(*e, "reason"));
            a->set("at", toIso8601(e->time));
            acknowledged = a;
        }
        list->add(eventJson(*e));
    }
    o->set("ended", ended ? Poco::Dynamic::Var(toIso8601(*ended)) : Poco::Dynamic::Var());
    const TimePoint end = ended ? *ended : (open ? now : events.back()->time);
    o->set("duration_seconds", std::chrono::duration_cast<std::chrono::seconds>(end - first.time).count());
    o->set("outcome", outcome);
    o->set("acknowledged", acknowledged);
    o->set("events", list);
    return o;
}

}  // namespace

CheckUptime uptimeOf(const std::string& checkId, const std::string& label, const std::vector<Record>& records, TimePoint now) {
    CheckUptime u;
    u.checkId = checkId;
    u.label = label;
    u.day = CheckTally{checkId, label};
    u.week = CheckTally{checkId, label};
    const TimePoint dayStart = now - std::chrono::hours(24), weekStart = now - kTimelineSpan;
    const std::vector<MaintenancePeriod> periods = maintenancePeriods(records, now);
    u.maintenanceDay = maintenanceTime(periods, checkId, dayStart, now);
    u.maintenanceWeek = maintenanceTime(periods, checkId, weekStart, now);
    for (const auto& r : records) {
        if (r.kind != RecordKind::Result || r.checkId != checkId || r.time < weekStart) continue;
        if (inMaintenance(periods, checkId, r.time)) continue;
        if (u.oldest == TimePoint{} || r.time < u.oldest) u.oldest = r.time;
        for (CheckTally* t : {&u.week, r.time >= dayStart ? &u.day : nullptr}) {
            if (!t) continue;
            if (r.result.status == Status::Pass)
                ++t->pass;
            else if (r.result.status == Status::Fail)
                ++t->fail;
            else
                ++t->error;
        }
    }
    return u;
}

std::string renderTimelineJson(const std::vector<Record>& events, const std::vector<CheckUptime>& uptime, const StatusSnapshot& snapshot) {
    const TimePoint now = snapshot.now;
    std::set<std::string> open;
    for (const auto& r : snapshot.rules)
        if (!r.incident.empty()) open.insert(r.incident);

    std::vector<std::string> order;
    std::map<std::string, std::vector<const Event*>> byIncident;
    Array::Ptr maintenance = new Array;
    for (const auto& r : events) {
        if (r.kind != RecordKind::Event || r.time < now - kTimelineSpan) continue;
        const Event& e = r.event;
        if (std::string(toString(e.type)).rfind("maintenance", 0) == 0) maintenance->add(eventJson(e));
        if (e.incident.empty()) continue;
        auto& list = byIncident[e.incident];
        if (list.empty()) order.push_back(e.incident);
        list.push_back(&e);
    }
    Array::Ptr incidents = new Array;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        auto& list = byIncident[*it];
        std::stable_sort(list.begin(), list.end(), [](const Event* a, const Event* b) { return a->time < b->time; });
        incidents->add(incidentJson(*it, list, open.count(*it) > 0, now));
    }
    Array::Ptr checks = new Array;
    for (const auto& u : uptime) {
        Object::Ptr c = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        c->set("check", u.checkId);
        c->set("label", u.label);
        c->set("day", tallyJson(u.day, u.maintenanceDay));
        c->set("week", tallyJson(u.week, u.maintenanceWeek));
        c->set("oldest", u.oldest == TimePoint{} ? Poco::Dynamic::Var() : Poco::Dynamic::Var(toIso8601(u.oldest)));
        checks->add(c);
    }
    Object::Ptr root = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    root->set("now", toIso8601(now));
    root->set("since", toIso8601(now - kTimelineSpan));
    root->set("incidents", incidents);
    root->set("maintenance", maintenance);
    root->set("uptime", checks);
    std::ostringstream out;
    root->stringify(out);
    return escapeJsonText(out.str());
}

std::string timelineJson(const EngineStatus& engine) {
    const StatusSnapshot snapshot = engine.snapshot();
    HistoryQuery query;
    query.since = snapshot.now - kTimelineSpan;
    query.limit = kMaxResults;
    query.checkId = kEventsOnly;
    const std::vector<Record> events = engine.history(query);
    std::vector<CheckUptime> uptime;
    for (const auto& c : snapshot.checks) {
        query.checkId = c.snapshot.id;
        const std::string label = c.snapshot.label.empty() ? c.snapshot.id : c.snapshot.label;
        uptime.push_back(uptimeOf(c.snapshot.id, label, engine.history(query), snapshot.now));
    }
    return renderTimelineJson(events, uptime, snapshot);
}

}  // namespace watchdog
