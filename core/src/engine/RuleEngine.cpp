#include "engine/RuleEngine.h"

#include <watchdog/HumanFormat.h>

#include <algorithm>

namespace watchdog {

const char* toString(RulePhase phase) {
    switch (phase) {
        case RulePhase::Idle:
            return "idle";
        case RulePhase::Pending:
            return "pending";
        case RulePhase::Limited:
            return "limited";
        case RulePhase::Fired:
            return "fired";
        case RulePhase::Verifying:
            return "verifying";
        case RulePhase::FailingBack:
            return "failing_back";
    }
    return "idle";
}

std::optional<RulePhase> rulePhaseFromString(const std::string& word) {
    for (auto p : {RulePhase::Idle, RulePhase::Pending, RulePhase::Limited, RulePhase::Fired, RulePhase::Verifying, RulePhase::FailingBack})
        if (word == toString(p)) return p;
    return std::nullopt;
}

std::string RuleEngine::joinIds(const std::vector<std::string>& ids) {
    std::string s;
    for (const auto& id : ids) s += (s.empty() ? "" : ", ") + id;
    return s;
}

std::string RuleEngine::labelsOf(const std::vector<std::string>& ids, const std::vector<CheckSnapshot>& checks) {
    std::vector<std::string> labels;
    for (const auto& id : ids) {
        auto it = std::find_if(checks.begin(), checks.end(), [&](const CheckSnapshot& c) { return c.id == id; });
        labels.push_back(it == checks.end() ? id : it->label);
    }
    return joinIds(labels);
}

bool RuleEngine::timed(RulePhase phase) {
    return phase == RulePhase::Pending || phase == RulePhase::Limited || phase == RulePhase::Verifying || phase == RulePhase::FailingBack;
}

const char* toString(RemedyProgress progress) {
    switch (progress) {
        case RemedyProgress::Started:
            return "started";
        case RemedyProgress::Retried:
            return "retried";
        case RemedyProgress::Reported:
            return "reported";
    }
    return "started";
}

std::optional<RemedyProgress> remedyProgressFromString(const std::string& word) {
    for (auto p : {RemedyProgress::Started, RemedyProgress::Retried, RemedyProgress::Reported})
        if (word == toString(p)) return p;
    return std::nullopt;
}

RuleEngine::RuleEngine(std::vector<RuleSpec> rules, std::vector<std::string> notifiers, const Clock& clock, std::string pipeline,
                       std::map<std::string, std::chrono::milliseconds> flapWindows)
    : notifiers_(std::move(notifiers)), clock_(clock), pipeline_(std::move(pipeline)), flapWindows_(std::move(flapWindows)) {
    for (auto& spec : rules) rules_.push_back(Rule{std::move(spec), {}, {}, {}});
}

void RuleEngine::restore(const std::map<std::string, RuleState>& states, TimePoint lastSeen) {
    lastSeen_ = lastSeen;
    for (auto& rule : rules_) {
        if (rule.spec.trigger != RuleSpec::Trigger::Condition) continue;
        auto it = states.find(rule.spec.id);
        if (it == states.end()) continue;
        if (it->second.phase == RulePhase::Idle) {
            rule.state.runs = it->second.runs;  // the limit's count survives restarts and reloads
            continue;
        }
        rule.state = it->second;
        rule.state.resumed = true;
    }
}

Event RuleEngine::makeEvent(EventType type, const Rule& rule, const std::vector<CheckSnapshot>& checks) const {
    Event e;
    e.type = type;
    e.time = clock_.now();
    e.pipeline = pipeline_;
    e.rule = rule.spec.id;
    e.incident = rule.state.incident;
    e.checks = checks;
    return e;
}

std::vector<std::string> RuleEngine::failingChecks(const Rule& rule, const std::vector<CheckSnapshot>& checks) const {
    std::vector<std::string> failing;
    for (const auto& c : checks)
        if (countsAsFailing(rule, c) && std::find(rule.spec.checks.begin(), rule.spec.checks.end(), c.id) != rule.spec.checks.end())
            failing.push_back(c.id);
    return failing;
}

bool RuleEngine::allReported(const Rule& rule, const std::vector<CheckSnapshot>& checks) const {
    for (const auto& c : checks)
        if (!c.hasResult && std::find(rule.spec.checks.begin(), rule.spec.checks.end(), c.id) != rule.spec.checks.end()) return false;
    return true;
}

std::vector<RoutedEvent> RuleEngine::start(const std::vector<CheckSnapshot>& checks, bool announce) {
    std::vector<RoutedEvent> out;
    const TimePoint now = clock_.now();
    for (const auto& c : checks) flapping_[c.id] = c.flapping;  // restored state is not announced again
    for (auto& rule : rules_) {
        if (rule.spec.trigger == RuleSpec::Trigger::Every) rule.nextEvery = now + rule.spec.every;
        if (rule.spec.trigger == RuleSpec::Trigger::Startup && announce) {
            Event e = makeEvent(EventType::Startup, rule, checks);
            e.summary = "The monitoring bot has restarted at " + toLocalSeconds(e.time) + " and is now actively monitoring.";
            out.push_back({std::move(e), rule.spec.then.ids});
        }
    }
    return out;
}

bool RuleEngine::isNotifier(const std::string& action) const {
    return std::find(notifiers_.begin(), notifiers_.end(), action) != notifiers_.end();
}

void RuleEngine::fire(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out, const std::string& why) {
    rule.state.phase = RulePhase::Fired;
    rule.state.fired = clock_.now();
    rule.state.remedies.clear();
    for (const auto& id : rule.spec.then.ids)
        if (!isNotifier(id)) rule.state.remedies[id] = RemedyProgress::Started;
    if (rule.state.remedies.empty()) startVerifying(rule);
    Event e = makeEvent(EventType::Failover, rule, checks);
    e.failing = failingChecks(rule, checks);
    e.summary = why + ": " + labelsOf(e.failing, checks) +
                (rule.spec.then.ids.empty() ? "; no remedy configured" : "; running " + joinIds(rule.spec.then.ids));
    out.push_back({std::move(e), rule.spec.then.ids});
}

// After a restart, the remedies of the incident that were started but never reported an outcome
// run again, once: the backup start is idempotent (aws_start asks for the instance state first), and
// a remedy already retried is not run a third time, so a remedy that kills the daemon cannot loop.
void RuleEngine::retryUnreported(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    std::vector<std::string> again;
    for (const auto& id : rule.spec.then.ids) {
        auto it = rule.state.remedies.find(id);
        if (it == rule.state.remedies.end() || it->second != RemedyProgress::Started) continue;
        it->second = RemedyProgress::Retried;
        again.push_back(id);
    }
    if (again.empty()) return;
    Event e = makeEvent(EventType::Failover, rule, checks);
    e.failing = failingChecks(rule, checks);
    e.summary = "Still failing after a restart: " + labelsOf(e.failing, checks) + "; " + joinIds(again) +
                (again.size() == 1 ? " had" : " had each") + " not reported an outcome, running " + (again.size() == 1 ? "it" : "them") +
                " again (once)";
    out.push_back({std::move(e), std::move(again)});
}

void RuleEngine::evaluate(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    if (rule.spec.trigger != RuleSpec::Trigger::Condition) return;
    if (ruleCovered(rule)) return holdForMaintenance(rule, checks, out);
    bool resuming = false;
    if (rule.state.resumed) {
        if (!allReported(rule, checks)) return;
        rule.state.resumed = false;
        resuming = true;
    }
    const std::vector<std::string> failing = failingChecks(rule, checks);
    const bool active = static_cast<int>(failing.size()) >= rule.spec.threshold;
    const TimePoint now = clock_.now();
    if (resuming && !active && rule.state.phase != RulePhase::FailingBack) return recoverWhileDown(rule, checks, out);
    switch (rule.state.phase) {
        case RulePhase::Idle:
            if (active) startCountdown(rule, failing, now, checks, out);
            return;
        case RulePhase::Pending:
            if (active) {
                if (now >= rule.state.deadline)
                    fireWithinLimit(rule, checks, out, "Still failing after " + human::duration(rule.spec.wait));
                return;
            }
            cancelCountdown(rule, now, checks, out);
            return;
        case RulePhase::Limited:
            if (active) {
                if (now >= rule.state.deadline) fireWithinLimit(rule, checks, out, "Still failing when the limit's window reopened");
                return;
            }
            recoverWhileLimited(rule, now, checks, out);
            return;
        case RulePhase::Fired:
            if (active) {
                if (resuming) retryUnreported(rule, checks, out);
                return;
            }
            recover(rule, checks, out);
            return;
        case RulePhase::Verifying:
            verifyTakeover(rule, checks, out);
            if (!active) recover(rule, checks, out);
            return;
        case RulePhase::FailingBack:
            failBack(rule, active, checks, out);
            return;
    }
}

void RuleEngine::startCountdown(Rule& rule, const std::vector<std::string>& failing, TimePoint now,
                                const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    rule.state.phase = RulePhase::Pending;
    rule.state.incident = rule.spec.id + "-" + std::to_string(toEpochMs(now));
    rule.state.opened = now;
    rule.state.deadline = now + rule.spec.wait;
    Event e = makeEvent(EventType::Warning, rule, checks);
    e.failing = failing;
    e.deadline = rule.state.deadline;
    e.summary = std::to_string(failing.size()) + " of " + std::to_string(rule.spec.checks.size()) + " checks failing (" +
                labelsOf(failing, checks) + ")" +
                (rule.spec.then.ids.empty() ? "" : "; " + joinIds(rule.spec.then.ids) + " in " + human::duration(rule.spec.wait));
    out.push_back({std::move(e), rule.spec.warn.ids});
    if (now >= rule.state.deadline) fireWithinLimit(rule, checks, out, "Still failing after " + human::duration(rule.spec.wait));
}

void RuleEngine::cancelCountdown(Rule& rule, TimePoint now, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    Event e = makeEvent(EventType::Cancelled, rule, checks);
    e.duration = std::chrono::duration_cast<std::chrono::milliseconds>(now - rule.state.opened);
    std::vector<std::string> held;
    for (const auto& id : rule.spec.checks)
        if (checkCovered(id)) held.push_back(id);
    e.summary = held.empty() ? "Checks recovered after " + human::duration(*e.duration) + " during the countdown; failover cancelled"
                             : "Failover cancelled after " + human::duration(*e.duration) + " of countdown: " + labelsOf(held, checks) +
                                   (held.size() == 1 ? " is" : " are") + " in maintenance";
    out.push_back({std::move(e), rule.spec.warn.ids});
    close(rule);
}

void RuleEngine::recoverWhileLimited(Rule& rule, TimePoint now, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    Event e = makeEvent(EventType::Recovered, rule, checks);
    e.duration = std::chrono::duration_cast<std::chrono::milliseconds>(now - rule.state.opened);
    e.summary = "Recovered after " + human::duration(*e.duration) + " without a remedy (the limit had held it back)";
    out.push_back({std::move(e), rule.spec.recover.ids});
    close(rule);
}

std::vector<RoutedEvent> RuleEngine::onResult(const std::string& checkId, const Result& result, const std::vector<CheckSnapshot>& checks) {
    std::vector<RoutedEvent> out;
    const TimePoint now = clock_.now();
    flapEvents(checkId, checks, out);
    noteMaintenanceFailure(checkId, result);
    const bool flapping = flapping_[checkId];
    for (auto& rule : rules_) {
        if (rule.spec.trigger == RuleSpec::Trigger::CheckError && result.status == Status::Error && !flapping && !checkCovered(checkId) &&
            !ruleCovered(rule)) {
            auto last = rule.lastError.find(checkId);
            if (last != rule.lastError.end() && now - last->second < rule.spec.throttle) continue;
            rule.lastError[checkId] = now;
            Event e = makeEvent(EventType::CheckError, rule, checks);
            e.checkId = checkId;
            auto it = std::find_if(checks.begin(), checks.end(), [&](const CheckSnapshot& c) { return c.id == checkId; });
            e.summary = (it == checks.end() ? checkId : it->label) + ": " + result.summary;
            out.push_back({std::move(e), rule.spec.then.ids});
        }
        evaluateAcknowledged(rule, checks, out);
    }
    return out;
}

std::vector<RoutedEvent> RuleEngine::tick(const std::vector<CheckSnapshot>& checks) {
    std::vector<RoutedEvent> out;
    const TimePoint now = clock_.now();
    expireMaintenance(checks, out);
    for (auto& rule : rules_) {
        if (rule.spec.trigger == RuleSpec::Trigger::Every && now >= rule.nextEvery) {
            while (rule.nextEvery <= now) rule.nextEvery += rule.spec.every;
            Event e = makeEvent(EventType::Status, rule, checks);
            e.summary = "Status report";
            out.push_back({std::move(e), rule.spec.then.ids});
        }
        if (timed(rule.state.phase) && now >= rule.state.deadline) evaluateAcknowledged(rule, checks, out);
    }
    return out;
}

std::vector<RoutedEvent> RuleEngine::statusNow(const std::vector<CheckSnapshot>& checks) {
    std::vector<std::string> targets;
    for (const auto& rule : rules_)
        if (rule.spec.trigger == RuleSpec::Trigger::Every)
            for (const auto& id : rule.spec.then.ids)
                if (std::find(targets.begin(), targets.end(), id) == targets.end()) targets.push_back(id);
    if (targets.empty()) targets = notifiers_;
    Rule onDemand{RuleSpec{}, {}, {}, {}};
    onDemand.spec.id = "status";
    Event e = makeEvent(EventType::Status, onDemand, checks);
    e.summary = "Status report (on demand)";
    return {{std::move(e), targets}};
}

RoutedEvent RuleEngine::outcome(const Event& failover, const std::string& action, bool ok, const std::string& summary,
                                const Details& details, std::chrono::milliseconds took, const std::vector<CheckSnapshot>& checks,
                                bool interrupted) {
    for (auto& rule : rules_) {
        if (interrupted || failover.type != EventType::Failover || rule.spec.id != failover.rule ||
            rule.state.incident != failover.incident)
            continue;
        auto it = rule.state.remedies.find(action);
        if (it != rule.state.remedies.end()) it->second = RemedyProgress::Reported;
        noteOutcome(rule, ok, details);
    }
    Event e;
    e.type = EventType::Outcome;
    e.time = clock_.now();
    e.pipeline = pipeline_;
    e.rule = failover.rule;
    e.incident = failover.incident;
    e.failing = failover.failing;
    e.action = action;
    e.ok = ok;
    e.summary = summary;
    e.details = details;
    e.duration = took;
    e.checks = checks;
    std::vector<std::string> targets;
    for (const auto& rule : rules_)
        if (rule.spec.id == failover.rule) targets = incidentNotifiers(rule.spec);
    return {std::move(e), targets};
}

RoutedEvent RuleEngine::shutdown(const std::vector<CheckSnapshot>& checks) {
    std::vector<std::string> targets;
    for (const auto& rule : rules_)
        if (rule.spec.trigger == RuleSpec::Trigger::Startup)
            for (const auto& id : rule.spec.then.ids)
                if (std::find(targets.begin(), targets.end(), id) == targets.end()) targets.push_back(id);
    Rule r{RuleSpec{}, {}, {}, {}};
    Event e = makeEvent(EventType::Shutdown, r, checks);
    e.summary = "The monitoring bot is stopping at " + toLocalSeconds(e.time) + ".";
    return {std::move(e), targets};
}

std::optional<TimePoint> RuleEngine::nextWakeup() const {
    std::optional<TimePoint> next;
    auto consider = [&](TimePoint t) {
        if (!next || t < *next) next = t;
    };
    for (const auto& rule : rules_) {
        if (rule.spec.trigger == RuleSpec::Trigger::Every) consider(rule.nextEvery);
        if (timed(rule.state.phase) && !rule.state.resumed && !ruleCovered(rule)) consider(rule.state.deadline);
    }
    for (const auto& window : maintenance_) consider(window.until);
    return next;
}

std::map<std::string, RuleState> RuleEngine::states() const {
    std::map<std::string, RuleState> out;
    for (const auto& rule : rules_)
        if (rule.spec.trigger == RuleSpec::Trigger::Condition) out[rule.spec.id] = rule.state;
    return out;
}

}  // namespace watchdog
