#include "engine/RuleEngine.h"

#include "watchdog/HumanFormat.h"

#include <algorithm>

namespace watchdog {

namespace {
std::string joinIds(const std::vector<std::string>& ids) {
    std::string s;
    for (const auto& id : ids) s += (s.empty() ? "" : ", ") + id;
    return s;
}

std::string labelsOf(const std::vector<std::string>& ids, const std::vector<CheckSnapshot>& checks) {
    std::vector<std::string> labels;
    for (const auto& id : ids) {
        auto it = std::find_if(checks.begin(), checks.end(), [&](const CheckSnapshot& c) { return c.id == id; });
        labels.push_back(it == checks.end() ? id : it->label);
    }
    return joinIds(labels);
}
}  // namespace

const char* toString(RulePhase phase) {
    switch (phase) {
    case RulePhase::Idle: return "idle";
    case RulePhase::Pending: return "pending";
    case RulePhase::Limited: return "limited";
    case RulePhase::Fired: return "fired";
    }
    return "idle";
}

std::optional<RulePhase> rulePhaseFromString(const std::string& word) {
    for (auto p : {RulePhase::Idle, RulePhase::Pending, RulePhase::Limited, RulePhase::Fired})
        if (word == toString(p)) return p;
    return std::nullopt;
}

LimitStanding limitStanding(const RuleSpec& spec, const RuleState& state, TimePoint now) {
    LimitStanding standing;
    if (spec.limitCount <= 0) return standing;
    std::vector<TimePoint> inWindow;
    for (const auto& t : state.runs)
        if (t > now - spec.limitPer) inWindow.push_back(t);
    std::sort(inWindow.begin(), inWindow.end());
    standing.runs = static_cast<int>(inWindow.size());
    // The window admits another run once all but count-1 of the runs in it have left it.
    if (standing.runs >= spec.limitCount) standing.reopens = inWindow[inWindow.size() - static_cast<std::size_t>(spec.limitCount)] + spec.limitPer;
    return standing;
}

const char* toString(RemedyProgress progress) {
    switch (progress) {
    case RemedyProgress::Started: return "started";
    case RemedyProgress::Retried: return "retried";
    case RemedyProgress::Reported: return "reported";
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

void RuleEngine::restore(const std::map<std::string, RuleState>& states) {
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

void RuleEngine::close(Rule& rule) {
    std::vector<TimePoint> runs = std::move(rule.state.runs);
    rule.state = RuleState{};
    if (rule.spec.limitCount > 0) {
        // Only the runs that can still count are kept, so the state file stays small.
        const TimePoint since = clock_.now() - rule.spec.limitPer;
        runs.erase(std::remove_if(runs.begin(), runs.end(), [&](TimePoint t) { return t <= since; }), runs.end());
        rule.state.runs = std::move(runs);
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

// A flapping check counts as failing (its passes cannot be trusted) unless the rule says
// `flapping: ignore`, which leaves it out while it flaps.
bool RuleEngine::countsAsFailing(const Rule& rule, const CheckSnapshot& check) const {
    if (check.flapping) return !rule.spec.ignoreFlapping;
    return check.health == Health::Failing;
}

std::vector<std::string> RuleEngine::failingChecks(const Rule& rule, const std::vector<CheckSnapshot>& checks) const {
    std::vector<std::string> failing;
    for (const auto& c : checks)
        if (countsAsFailing(rule, c) &&
            std::find(rule.spec.checks.begin(), rule.spec.checks.end(), c.id) != rule.spec.checks.end())
            failing.push_back(c.id);
    return failing;
}

// The notifiers of the condition rules that count the check; every notifier when none does.
std::vector<std::string> RuleEngine::notifiersWatching(const std::string& checkId) const {
    std::vector<std::string> targets;
    for (const auto& rule : rules_) {
        if (rule.spec.trigger != RuleSpec::Trigger::Condition ||
            std::find(rule.spec.checks.begin(), rule.spec.checks.end(), checkId) == rule.spec.checks.end())
            continue;
        for (const auto* list : {&rule.spec.warn.ids, &rule.spec.recover.ids})
            for (const auto& id : *list)
                if (isNotifier(id) && std::find(targets.begin(), targets.end(), id) == targets.end()) targets.push_back(id);
    }
    return targets.empty() ? notifiers_ : targets;
}

void RuleEngine::flapEvents(const std::string& checkId, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    auto it = std::find_if(checks.begin(), checks.end(), [&](const CheckSnapshot& c) { return c.id == checkId; });
    if (it == checks.end() || it->flapping == flapping_[checkId]) return;
    flapping_[checkId] = it->flapping;
    Rule none{RuleSpec{}, {}, {}, {}};
    Event e = makeEvent(it->flapping ? EventType::Flapping : EventType::Stable, none, checks);
    e.checkId = checkId;
    auto window = flapWindows_.find(checkId);
    const std::string within = window == flapWindows_.end() ? "" : " within " + human::duration(window->second);
    const std::string changes = human::count(it->recentChanges, "state change") + within;
    std::vector<std::string> counting;
    for (const auto& rule : rules_)
        if (rule.spec.trigger == RuleSpec::Trigger::Condition && !rule.spec.ignoreFlapping &&
            std::find(rule.spec.checks.begin(), rule.spec.checks.end(), checkId) != rule.spec.checks.end())
            counting.push_back(rule.spec.id);
    if (it->flapping)
        e.summary = it->label + " is flapping (" + changes + "): no message per change until it is stable" +
                    (counting.empty() ? "" : "; it counts as failing for " + joinIds(counting));
    else
        e.summary = it->label + " is stable again (" + changes + "); it is " + toString(it->health);
    out.push_back({std::move(e), notifiersWatching(checkId)});
}

bool RuleEngine::allReported(const Rule& rule, const std::vector<CheckSnapshot>& checks) const {
    for (const auto& c : checks)
        if (!c.hasResult && std::find(rule.spec.checks.begin(), rule.spec.checks.end(), c.id) != rule.spec.checks.end())
            return false;
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
    rule.state.remedies.clear();
    for (const auto& id : rule.spec.then.ids)
        if (!isNotifier(id)) rule.state.remedies[id] = RemedyProgress::Started;
    Event e = makeEvent(EventType::Failover, rule, checks);
    e.failing = failingChecks(rule, checks);
    e.summary = why + ": " + labelsOf(e.failing, checks) +
                (rule.spec.then.ids.empty() ? "; no remedy configured" : "; running " + joinIds(rule.spec.then.ids));
    out.push_back({std::move(e), rule.spec.then.ids});
}

// `limit` guards against a restart loop (Monit's "if N restarts within M cycles"): past it the
// incident waits in Limited, says once when the window reopens, and runs the remedies then if the
// checks still fail.
void RuleEngine::fireWithinLimit(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out,
                                 const std::string& why) {
    const TimePoint now = clock_.now();
    const LimitStanding standing = limitStanding(rule.spec, rule.state, now);
    if (!standing.reopens) {
        if (rule.spec.limitCount > 0) {
            rule.state.runs.erase(std::remove_if(rule.state.runs.begin(), rule.state.runs.end(),
                                                 [&](TimePoint t) { return t <= now - rule.spec.limitPer; }),
                                  rule.state.runs.end());
            rule.state.runs.push_back(now);
        }
        fire(rule, checks, out, why);
        return;
    }
    rule.state.phase = RulePhase::Limited;
    rule.state.deadline = *standing.reopens;
    Event e = makeEvent(EventType::Limited, rule, checks);
    e.failing = failingChecks(rule, checks);
    e.deadline = rule.state.deadline;
    const std::string what = rule.spec.then.ids.empty() ? "the failover" : joinIds(rule.spec.then.ids);
    e.summary = why + ": " + labelsOf(e.failing, checks) + "; " + what + " not run: the limit of " +
                human::count(rule.spec.limitCount, "run") + " per " + human::duration(rule.spec.limitPer) +
                " is reached; it may run again at " + toLocalSeconds(rule.state.deadline) + " (in " +
                human::duration(std::chrono::duration_cast<std::chrono::milliseconds>(rule.state.deadline - now)) +
                ") if the checks still fail";
    out.push_back({std::move(e), rule.spec.warn.ids});
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
                (again.size() == 1 ? " had" : " had each") + " not reported an outcome, running " +
                (again.size() == 1 ? "it" : "them") + " again (once)";
    out.push_back({std::move(e), std::move(again)});
}

void RuleEngine::evaluate(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    if (rule.spec.trigger != RuleSpec::Trigger::Condition) return;
    bool resuming = false;
    if (rule.state.resumed) {
        if (!allReported(rule, checks)) return;
        rule.state.resumed = false;
        resuming = true;
    }
    const std::vector<std::string> failing = failingChecks(rule, checks);
    const bool active = static_cast<int>(failing.size()) >= rule.spec.threshold;
    const TimePoint now = clock_.now();
    switch (rule.state.phase) {
    case RulePhase::Idle:
        if (!active) return;
        rule.state.phase = RulePhase::Pending;
        rule.state.incident = rule.spec.id + "-" + std::to_string(toEpochMs(now));
        rule.state.opened = now;
        rule.state.deadline = now + rule.spec.wait;
        {
            Event e = makeEvent(EventType::Warning, rule, checks);
            e.failing = failing;
            e.deadline = rule.state.deadline;
            e.summary = std::to_string(failing.size()) + " of " + std::to_string(rule.spec.checks.size()) +
                        " checks failing (" + labelsOf(failing, checks) + ")" +
                        (rule.spec.then.ids.empty() ? "" : "; " + joinIds(rule.spec.then.ids) + " in " + human::duration(rule.spec.wait));
            out.push_back({std::move(e), rule.spec.warn.ids});
        }
        if (now >= rule.state.deadline) fireWithinLimit(rule, checks, out, "Still failing after " + human::duration(rule.spec.wait));
        return;
    case RulePhase::Pending:
        if (active) {
            if (now >= rule.state.deadline) fireWithinLimit(rule, checks, out, "Still failing after " + human::duration(rule.spec.wait));
            return;
        }
        {
            Event e = makeEvent(EventType::Cancelled, rule, checks);
            e.duration = std::chrono::duration_cast<std::chrono::milliseconds>(now - rule.state.opened);
            e.summary = "Checks recovered after " + human::duration(*e.duration) + " during the countdown; failover cancelled";
            out.push_back({std::move(e), rule.spec.warn.ids});
        }
        close(rule);
        return;
    case RulePhase::Limited:
        if (active) {
            if (now >= rule.state.deadline)
                fireWithinLimit(rule, checks, out, "Still failing when the limit's window reopened");
            return;
        }
        {
            Event e = makeEvent(EventType::Recovered, rule, checks);
            e.duration = std::chrono::duration_cast<std::chrono::milliseconds>(now - rule.state.opened);
            e.summary = "Recovered after " + human::duration(*e.duration) + " without a remedy (the limit had held it back)";
            out.push_back({std::move(e), rule.spec.recover.ids});
        }
        close(rule);
        return;
    case RulePhase::Fired:
        if (active) {
            if (resuming) retryUnreported(rule, checks, out);
            return;
        }
        {
            Event e = makeEvent(EventType::Recovered, rule, checks);
            e.duration = std::chrono::duration_cast<std::chrono::milliseconds>(now - rule.state.opened);
            const auto still = failingChecks(rule, checks);
            e.summary = "Recovered after " + human::duration(*e.duration) + ": " +
                        (still.empty() ? "every check of " + rule.spec.id + " passes"
                                       : "below the threshold (still failing: " + labelsOf(still, checks) + ")");
            out.push_back({std::move(e), rule.spec.recover.ids});
        }
        close(rule);
        return;
    }
}

std::vector<RoutedEvent> RuleEngine::onResult(const std::string& checkId, const Result& result,
                                              const std::vector<CheckSnapshot>& checks) {
    std::vector<RoutedEvent> out;
    const TimePoint now = clock_.now();
    flapEvents(checkId, checks, out);
    const bool flapping = flapping_[checkId];
    for (auto& rule : rules_) {
        if (rule.spec.trigger == RuleSpec::Trigger::CheckError && result.status == Status::Error && !flapping) {
            auto last = rule.lastError.find(checkId);
            if (last != rule.lastError.end() && now - last->second < rule.spec.throttle) continue;
            rule.lastError[checkId] = now;
            Event e = makeEvent(EventType::CheckError, rule, checks);
            e.checkId = checkId;
            auto it = std::find_if(checks.begin(), checks.end(), [&](const CheckSnapshot& c) { return c.id == checkId; });
            e.summary = (it == checks.end() ? checkId : it->label) + ": " + result.summary;
            out.push_back({std::move(e), rule.spec.then.ids});
        }
        evaluate(rule, checks, out);
    }
    return out;
}

std::vector<RoutedEvent> RuleEngine::tick(const std::vector<CheckSnapshot>& checks) {
    std::vector<RoutedEvent> out;
    const TimePoint now = clock_.now();
    for (auto& rule : rules_) {
        if (rule.spec.trigger == RuleSpec::Trigger::Every && now >= rule.nextEvery) {
            while (rule.nextEvery <= now) rule.nextEvery += rule.spec.every;
            Event e = makeEvent(EventType::Status, rule, checks);
            e.summary = "Status report";
            out.push_back({std::move(e), rule.spec.then.ids});
        }
        const bool timed = rule.state.phase == RulePhase::Pending || rule.state.phase == RulePhase::Limited;
        if (timed && now >= rule.state.deadline) evaluate(rule, checks, out);
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
        if (interrupted || rule.spec.id != failover.rule || rule.state.incident != failover.incident) continue;
        auto it = rule.state.remedies.find(action);
        if (it != rule.state.remedies.end()) it->second = RemedyProgress::Reported;
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
    for (const auto& rule : rules_) {
        if (rule.spec.id != failover.rule) continue;
        for (const auto* list : {&rule.spec.warn.ids, &rule.spec.recover.ids})
            for (const auto& id : *list)
                if (std::find(targets.begin(), targets.end(), id) == targets.end() &&
                    std::find(notifiers_.begin(), notifiers_.end(), id) != notifiers_.end())
                    targets.push_back(id);
    }
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
        const bool timed = rule.state.phase == RulePhase::Pending || rule.state.phase == RulePhase::Limited;
        if (timed && !rule.state.resumed) consider(rule.state.deadline);
    }
    return next;
}

std::map<std::string, RuleState> RuleEngine::states() const {
    std::map<std::string, RuleState> out;
    for (const auto& rule : rules_)
        if (rule.spec.trigger == RuleSpec::Trigger::Condition) out[rule.spec.id] = rule.state;
    return out;
}

}  // namespace watchdog
