// The operator's side of RuleEngine: maintenance windows, acknowledgements, and incidents that
// recovered while the watchdog was down (DESIGN.md "Closing the loop"; issue 15).
#include "engine/RuleEngine.h"

#include <watchdog/HumanFormat.h>

#include <algorithm>

namespace watchdog {

namespace {

// The moments an acknowledgement quiets: the operator is on it, so nobody needs to be called again.
bool isEscalation(EventType type) { return type == EventType::Limited || type == EventType::NotVerified; }

std::chrono::milliseconds between(TimePoint from, TimePoint to) { return std::chrono::duration_cast<std::chrono::milliseconds>(to - from); }

bool contains(const std::vector<std::string>& ids, const std::string& id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }

}  // namespace

void RuleEngine::restoreMaintenance(std::vector<MaintenanceWindow> windows) { maintenance_ = std::move(windows); }

bool RuleEngine::ruleCovered(const Rule& rule) const {
    if (rule.spec.trigger != RuleSpec::Trigger::Condition && rule.spec.trigger != RuleSpec::Trigger::CheckError) return false;
    for (const auto& w : maintenance_)
        if (w.scope == MaintenanceScope::Pipeline || (w.scope == MaintenanceScope::Rule && w.id == rule.spec.id)) return true;
    return false;
}

bool RuleEngine::checkCovered(const std::string& checkId) const {
    for (const auto& w : maintenance_)
        if (w.scope == MaintenanceScope::Check && w.id == checkId) return true;
    return false;
}

void RuleEngine::holdForMaintenance(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    if (rule.state.phase != RulePhase::Pending && rule.state.phase != RulePhase::Limited) return;
    Event e = makeEvent(EventType::Cancelled, rule, checks);
    e.duration = between(rule.state.opened, clock_.now());
    e.summary = "Maintenance started: failover cancelled after " + human::duration(*e.duration) +
                "; the rule neither warns nor runs remedies until the maintenance ends";
    out.push_back({std::move(e), rule.spec.warn.ids});
    close(rule);
}

void RuleEngine::noteMaintenanceFailure(const std::string& checkId, const Result& result) {
    if (result.status == Status::Pass) return;
    for (auto& w : maintenance_) {
        bool covers = w.scope == MaintenanceScope::Pipeline || (w.scope == MaintenanceScope::Check && w.id == checkId);
        for (const auto& rule : rules_)
            if (w.scope == MaintenanceScope::Rule && w.id == rule.spec.id && contains(rule.spec.checks, checkId)) covers = true;
        if (covers && !contains(w.failed, checkId)) w.failed.push_back(checkId);
    }
}

RoutedEvent RuleEngine::maintenanceEnded(const MaintenanceWindow& window, const std::vector<CheckSnapshot>& checks,
                                         const std::string& how) const {
    Rule none{RuleSpec{}, {}, {}, {}};
    if (window.scope == MaintenanceScope::Rule) none.spec.id = window.id;
    Event e = makeEvent(EventType::MaintenanceEnded, none, checks);
    if (window.scope == MaintenanceScope::Check) e.checkId = window.id;
    e.duration = between(window.started, e.time);
    e.failing = window.failed;
    e.details = {{"scope", toString(window.scope)}, {"id", window.id}, {"by", window.by}, {"reason", window.reason}};
    e.summary = "Maintenance of " + window.describe() + " ended " + how + " after " + human::duration(*e.duration) + ": " +
                (window.failed.empty() ? "nothing it covers failed meanwhile" : "failed meanwhile: " + labelsOf(window.failed, checks));
    return {std::move(e), notifiers_};
}

void RuleEngine::expireMaintenance(const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    const TimePoint now = clock_.now();
    bool ended = false;
    for (auto it = maintenance_.begin(); it != maintenance_.end();) {
        if (now < it->until) {
            ++it;
            continue;
        }
        out.push_back(maintenanceEnded(*it, checks, "as planned"));
        it = maintenance_.erase(it);
        ended = true;
    }
    if (ended)
        for (auto& rule : rules_) evaluateAcknowledged(rule, checks, out);
}

std::vector<RoutedEvent> RuleEngine::maintain(const MaintenanceRequest& request, const std::vector<CheckSnapshot>& checks) {
    if (request.scope == MaintenanceScope::Check &&
        std::none_of(checks.begin(), checks.end(), [&](const CheckSnapshot& c) { return c.id == request.id; }))
        throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput, "the pipeline has no check called '" + request.id + "'");
    if (request.scope == MaintenanceScope::Rule && std::none_of(rules_.begin(), rules_.end(), [&](const Rule& r) {
            return r.spec.id == request.id && r.spec.trigger == RuleSpec::Trigger::Condition;
        }))
        throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput,
                                     "the pipeline has no condition rule called '" + request.id + "'");
    auto same = std::find_if(maintenance_.begin(), maintenance_.end(),
                             [&](const MaintenanceWindow& w) { return w.scope == request.scope && w.id == request.id; });
    std::vector<RoutedEvent> out;
    if (request.end) {
        MaintenanceWindow probe{request.scope, request.id, {}, {}, {}, {}, {}};
        if (same == maintenance_.end())
            throw OperatorRequestRefused(OperatorRequestRefused::Why::NothingOpen,
                                         "no maintenance of " + probe.describe() + " is in force");
        out.push_back(maintenanceEnded(*same, checks, "by " + (request.by.empty() ? std::string("an operator") : request.by)));
        maintenance_.erase(same);
        for (auto& rule : rules_) evaluateAcknowledged(rule, checks, out);
        return out;
    }
    if (request.length <= std::chrono::milliseconds(0) || request.length > maxMaintenance)
        throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput, "a maintenance lasts from 1s up to 30d");
    const TimePoint at = request.at == TimePoint{} ? clock_.now() : request.at;
    MaintenanceWindow window{request.scope, request.id, at, at + request.length, request.reason, request.by, {}};
    const bool extended = same != maintenance_.end();
    if (extended) {
        window.started = same->started;
        window.failed = same->failed;
        *same = window;
    } else {
        maintenance_.push_back(window);
    }
    Rule none{RuleSpec{}, {}, {}, {}};
    if (window.scope == MaintenanceScope::Rule) none.spec.id = window.id;
    Event e = makeEvent(EventType::MaintenanceStarted, none, checks);
    if (window.scope == MaintenanceScope::Check) e.checkId = window.id;
    e.deadline = window.until;
    e.details = {{"scope", toString(window.scope)}, {"id", window.id}, {"by", window.by}, {"reason", window.reason}};
    const std::string what = window.scope == MaintenanceScope::Check  ? "its failures do not count for any rule"
                             : window.scope == MaintenanceScope::Rule ? "the rule neither warns nor runs remedies"
                                                                      : "no rule warns or runs remedies";
    e.summary = std::string(extended ? "Maintenance of " + window.describe() + " extended" : "Maintenance of " + window.describe()) +
                " until " + toLocalSeconds(window.until) + " (" + human::duration(between(e.time, window.until)) + ")" +
                (window.by.empty() ? "" : " by " + window.by) + (window.reason.empty() ? "" : ": " + window.reason) +
                "; checks still run and are recorded, " + what;
    out.push_back({std::move(e), notifiers_});
    for (auto& rule : rules_) evaluateAcknowledged(rule, checks, out);
    return out;
}

RoutedEvent RuleEngine::acknowledge(const AckRequest& request, const std::vector<CheckSnapshot>& checks) {
    Rule* target = nullptr;
    if (!request.rule.empty()) {
        for (auto& rule : rules_)
            if (rule.spec.id == request.rule && rule.spec.trigger == RuleSpec::Trigger::Condition) target = &rule;
        if (target == nullptr)
            throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput,
                                         "the pipeline has no condition rule called '" + request.rule + "'");
        if (target->state.phase == RulePhase::Idle)
            throw OperatorRequestRefused(OperatorRequestRefused::Why::NothingOpen,
                                         "rule " + request.rule + " has no open incident to acknowledge");
    } else {
        std::vector<std::string> open;
        for (auto& rule : rules_)
            if (rule.spec.trigger == RuleSpec::Trigger::Condition && rule.state.phase != RulePhase::Idle) {
                open.push_back(rule.spec.id);
                target = &rule;
            }
        if (open.empty()) throw OperatorRequestRefused(OperatorRequestRefused::Why::NothingOpen, "no incident is open to acknowledge");
        if (open.size() > 1)
            throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput,
                                         "incidents of " + joinIds(open) + " are open: name the rule to acknowledge");
    }
    const TimePoint at = request.at == TimePoint{} ? clock_.now() : request.at;
    target->state.acknowledged = Acknowledgement{request.by.empty() ? "an operator" : request.by, request.reason, at};
    Event e = makeEvent(EventType::Acknowledged, *target, checks);
    e.failing = failingChecks(*target, checks);
    e.details = {{"by", target->state.acknowledged->by}, {"reason", request.reason}};
    e.summary = target->state.acknowledged->by + " acknowledged incident " + target->state.incident +
                (request.reason.empty() ? "" : ": " + request.reason) +
                "; no more reminders or escalations for it (it clears itself when the incident recovers)";
    return {std::move(e), incidentNotifiers(target->spec)};
}

void RuleEngine::evaluateAcknowledged(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    const std::size_t from = out.size();
    const bool acknowledged = rule.state.acknowledged.has_value();
    evaluate(rule, checks, out);
    if (!acknowledged) return;
    for (std::size_t i = from; i < out.size(); ++i) {
        if (!isEscalation(out[i].event.type)) continue;
        auto& actions = out[i].actions;
        actions.erase(std::remove_if(actions.begin(), actions.end(), [&](const std::string& id) { return isNotifier(id); }), actions.end());
    }
}

// The daemon cannot know when between its stop and its start the checks came back: it says so.
void RuleEngine::recoverWhileDown(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    const TimePoint now = clock_.now();
    const TimePoint about = lastSeen_ == TimePoint{} ? now : lastSeen_;
    const std::string when = "recovered while the watchdog was down, at about " + toLocalSeconds(about) +
                             " (its last record before the stop; the first passing run came at " + toLocalSeconds(now) + ")";
    const bool remedied = rule.state.phase == RulePhase::Fired || rule.state.phase == RulePhase::Verifying;
    if (remedied) {
        recover(rule, checks, out);
        out.back().event.summary = "Incident " + out.back().event.incident + " " + when + "; " + out.back().event.summary;
        return;
    }
    Event e = makeEvent(rule.state.phase == RulePhase::Pending ? EventType::Cancelled : EventType::Recovered, rule, checks);
    e.duration = between(rule.state.opened, about);
    e.summary = "Incident " + rule.state.incident + " " + when + (rule.state.phase == RulePhase::Pending ? "; failover cancelled" : "");
    out.push_back({std::move(e), rule.state.phase == RulePhase::Pending ? rule.spec.warn.ids : rule.spec.recover.ids});
    close(rule);
}

}  // namespace watchdog
