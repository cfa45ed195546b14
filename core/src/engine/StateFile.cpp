#include "engine/StateFile.h"

#include <watchdog/AtomicFile.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace watchdog {

namespace {

RulePhase phaseFrom(const std::string& s) { return rulePhaseFromString(s).value_or(RulePhase::Idle); }

std::vector<TimePoint> timesFrom(const Poco::JSON::Array::Ptr& array) {
    std::vector<TimePoint> out;
    for (std::size_t i = 0; array && i < array->size(); ++i) out.push_back(fromEpochMs(array->getElement<Poco::Int64>(i)));
    return out;
}

Poco::JSON::Array::Ptr timesJson(const std::vector<TimePoint>& times) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& t : times) array->add(static_cast<Poco::Int64>(toEpochMs(t)));
    return array;
}

Health healthFrom(const std::string& s) {
    if (s == "passing") return Health::Passing;
    if (s == "failing") return Health::Failing;
    return Health::Unknown;
}

Poco::Int64 ms(TimePoint t) { return static_cast<Poco::Int64>(toEpochMs(t)); }

Poco::JSON::Array::Ptr idsJson(const std::vector<std::string>& ids) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& id : ids) array->add(id);
    return array;
}

std::vector<std::string> idsFrom(const Poco::JSON::Array::Ptr& array) {
    std::vector<std::string> out;
    for (std::size_t i = 0; array && i < array->size(); ++i) out.push_back(array->getElement<std::string>(i));
    return out;
}

MaintenanceScope scopeFrom(const Poco::JSON::Object::Ptr& o) {
    return maintenanceScopeFromString(o->optValue<std::string>("scope", "pipeline")).value_or(MaintenanceScope::Pipeline);
}

Poco::JSON::Object::Ptr windowJson(const MaintenanceWindow& w) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("scope", std::string(toString(w.scope)));
    o->set("id", w.id);
    o->set("started_ms", ms(w.started));
    o->set("until_ms", ms(w.until));
    o->set("reason", w.reason);
    o->set("by", w.by);
    o->set("failed", idsJson(w.failed));
    return o;
}

MaintenanceWindow windowFrom(const Poco::JSON::Object::Ptr& o) {
    MaintenanceWindow w;
    w.scope = scopeFrom(o);
    w.id = o->optValue<std::string>("id", "");
    w.started = fromEpochMs(o->optValue<Poco::Int64>("started_ms", 0));
    w.until = fromEpochMs(o->optValue<Poco::Int64>("until_ms", 0));
    w.reason = o->optValue<std::string>("reason", "");
    w.by = o->optValue<std::string>("by", "");
    w.failed = idsFrom(o->getArray("failed"));
    return w;
}

Poco::JSON::Object::Ptr requestJson(const QueuedRequest& q) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (q.kind == QueuedRequest::Kind::Ack) {
        o->set("request", std::string("ack"));
        o->set("rule", q.ack.rule);
        o->set("reason", q.ack.reason);
        o->set("by", q.ack.by);
        o->set("at_ms", ms(q.ack.at));
        return o;
    }
    const MaintenanceRequest& m = q.maintenance;
    o->set("request", std::string(m.end ? "maintenance_end" : "maintenance"));
    o->set("scope", std::string(toString(m.scope)));
    o->set("id", m.id);
    o->set("length_ms", static_cast<Poco::Int64>(m.length.count()));
    o->set("reason", m.reason);
    o->set("by", m.by);
    o->set("at_ms", ms(m.at));
    return o;
}

QueuedRequest requestFrom(const Poco::JSON::Object::Ptr& o) {
    QueuedRequest q;
    const std::string kind = o->getValue<std::string>("request");
    if (kind == "ack") {
        q.kind = QueuedRequest::Kind::Ack;
        q.ack = AckRequest{o->optValue<std::string>("rule", ""), o->optValue<std::string>("reason", ""), o->optValue<std::string>("by", ""),
                           fromEpochMs(o->optValue<Poco::Int64>("at_ms", 0))};
        return q;
    }
    if (kind != "maintenance" && kind != "maintenance_end") throw std::runtime_error("unknown queued request '" + kind + "'");
    MaintenanceRequest& m = q.maintenance;
    m.end = kind == "maintenance_end";
    m.scope = scopeFrom(o);
    m.id = o->optValue<std::string>("id", "");
    m.length = std::chrono::milliseconds(o->optValue<Poco::Int64>("length_ms", 0));
    m.reason = o->optValue<std::string>("reason", "");
    m.by = o->optValue<std::string>("by", "");
    m.at = fromEpochMs(o->optValue<Poco::Int64>("at_ms", 0));
    return q;
}

}  // namespace

StateFile::StateFile(std::string path) : path_(std::move(path)) {}

SavedState StateFile::load(const std::string& pipeline, std::string& warning) const {
    SavedState state;
    state.pipeline = pipeline;
    std::ifstream in(path_);
    if (!in) return state;
    std::stringstream text;
    text << in.rdbuf();
    try {
        // In the written order: on_air is shown in the order the remedy reported it.
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
        auto root = parser.parse(text.str()).extract<Poco::JSON::Object::Ptr>();
        const std::string owner = root->optValue<std::string>("pipeline", "");
        if (owner != pipeline) {
            warning = "state file " + path_ + " belongs to pipeline '" + owner + "', not '" + pipeline + "'; starting with a fresh state";
            return state;
        }
        state.sequence = root->optValue<Poco::UInt64>("sequence", 0);
        if (auto rules = root->getObject("rules")) {
            for (const auto& name : rules->getNames()) {
                auto r = rules->getObject(name);
                RuleState rs;
                rs.phase = phaseFrom(r->getValue<std::string>("phase"));
                rs.incident = r->optValue<std::string>("incident", "");
                rs.opened = fromEpochMs(r->optValue<Poco::Int64>("opened_ms", 0));
                rs.deadline = fromEpochMs(r->optValue<Poco::Int64>("deadline_ms", 0));
                // Written since remedies are retried after a restart; an older file has none (reported).
                if (auto remedies = r->getObject("remedies"))
                    for (const auto& action : remedies->getNames())
                        if (auto p = remedyProgressFromString(remedies->getValue<std::string>(action))) rs.remedies[action] = *p;
                rs.runs = timesFrom(r->getArray("runs_ms"));
                rs.fired = fromEpochMs(r->optValue<Poco::Int64>("fired_ms", 0));
                rs.verifyFrom = fromEpochMs(r->optValue<Poco::Int64>("verify_from_ms", 0));
                rs.remedyFailed = r->optValue<bool>("remedy_failed", false);
                rs.dryRun = r->optValue<bool>("dry_run", false);
                if (auto onAir = r->getObject("on_air"))
                    for (const auto& key : onAir->getNames()) rs.onAir.emplace_back(key, onAir->getValue<std::string>(key));
                if (auto ack = r->getObject("acknowledged"))
                    rs.acknowledged = Acknowledgement{ack->optValue<std::string>("by", ""), ack->optValue<std::string>("reason", ""),
                                                      fromEpochMs(ack->optValue<Poco::Int64>("at_ms", 0))};
                state.rules[name] = rs;
            }
        }
        if (auto checks = root->getObject("checks")) {
            for (const auto& name : checks->getNames()) {
                auto c = checks->getObject(name);
                SavedCheck sc;
                sc.health = healthFrom(c->getValue<std::string>("health"));
                sc.consecutive = c->optValue<int>("consecutive", 0);
                sc.since = fromEpochMs(c->optValue<Poco::Int64>("since_ms", 0));
                sc.flapping = c->optValue<bool>("flapping", false);
                sc.changes = timesFrom(c->getArray("changes_ms"));
                state.checks[name] = sc;
            }
        }
        if (auto windows = root->getArray("maintenance"))
            for (std::size_t i = 0; i < windows->size(); ++i) state.maintenance.push_back(windowFrom(windows->getObject(i)));
        if (auto requests = root->getArray("requests"))
            for (std::size_t i = 0; i < requests->size(); ++i) state.requests.push_back(requestFrom(requests->getObject(i)));
        state.saved = fromEpochMs(root->optValue<Poco::Int64>("saved_ms", 0));
    } catch (const std::exception& e) {
        warning = "state file " + path_ + " is unreadable (" + e.what() + "); starting with a fresh state";
        SavedState fresh;
        fresh.pipeline = pipeline;
        return fresh;
    }
    return state;
}

void StateFile::save(const SavedState& state) const {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("version", 1);
    root.set("pipeline", state.pipeline);
    root.set("sequence", static_cast<Poco::UInt64>(state.sequence));
    root.set("saved_ms", ms(state.saved));
    Poco::JSON::Object::Ptr rules = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [name, rs] : state.rules) {
        Poco::JSON::Object::Ptr r = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        r->set("phase", std::string(toString(rs.phase)));
        r->set("incident", rs.incident);
        r->set("opened_ms", static_cast<Poco::Int64>(toEpochMs(rs.opened)));
        r->set("deadline_ms", static_cast<Poco::Int64>(toEpochMs(rs.deadline)));
        if (!rs.remedies.empty()) {
            Poco::JSON::Object::Ptr remedies = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            for (const auto& [action, progress] : rs.remedies) remedies->set(action, std::string(toString(progress)));
            r->set("remedies", remedies);
        }
        if (!rs.runs.empty()) r->set("runs_ms", timesJson(rs.runs));
        if (rs.fired != TimePoint{}) r->set("fired_ms", static_cast<Poco::Int64>(toEpochMs(rs.fired)));
        if (rs.verifyFrom != TimePoint{}) r->set("verify_from_ms", static_cast<Poco::Int64>(toEpochMs(rs.verifyFrom)));
        if (rs.remedyFailed) r->set("remedy_failed", true);
        if (rs.dryRun) r->set("dry_run", true);
        if (!rs.onAir.empty()) {
            Poco::JSON::Object::Ptr onAir = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            for (const auto& [key, value] : rs.onAir) onAir->set(key, value);
            r->set("on_air", onAir);
        }
        if (rs.acknowledged) {
            Poco::JSON::Object::Ptr ack = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            ack->set("by", rs.acknowledged->by);
            ack->set("reason", rs.acknowledged->reason);
            ack->set("at_ms", ms(rs.acknowledged->at));
            r->set("acknowledged", ack);
        }
        rules->set(name, r);
    }
    root.set("rules", rules);
    Poco::JSON::Object::Ptr checks = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [name, sc] : state.checks) {
        Poco::JSON::Object::Ptr c = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        c->set("health", std::string(toString(sc.health)));
        c->set("consecutive", sc.consecutive);
        c->set("since_ms", static_cast<Poco::Int64>(toEpochMs(sc.since)));
        if (sc.flapping) c->set("flapping", true);
        if (!sc.changes.empty()) c->set("changes_ms", timesJson(sc.changes));
        checks->set(name, c);
    }
    root.set("checks", checks);
    Poco::JSON::Array::Ptr windows = new Poco::JSON::Array;
    for (const auto& w : state.maintenance) windows->add(windowJson(w));
    root.set("maintenance", windows);
    if (!state.requests.empty()) {
        Poco::JSON::Array::Ptr requests = new Poco::JSON::Array;
        for (const auto& q : state.requests) requests->add(requestJson(q));
        root.set("requests", requests);
    }
    std::ostringstream out;
    root.stringify(out, 2);
    out << "\n";

    writeFileAtomically(path_, out.str());
}

}  // namespace watchdog
