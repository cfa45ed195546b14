// The closing of the loop in RuleEngine: the remedy limit, flapping checks, verifying the takeover
// and failing back (DESIGN.md "Closing the loop").
#include "engine/RuleEngine.h"

#include <watchdog/HumanFormat.h>

#include <algorithm>

namespace watchdog {

namespace {

std::chrono::milliseconds since(TimePoint from, TimePoint to) { return std::chrono::duration_cast<std::chrono::milliseconds>(to - from); }

std::string detail(const Details& details, const std::string& key) {
    for (const auto& [k, v] : details)
        if (k == key) return v;
    return "";
}

// " (i-0abc at 203.0.113.7, private 10.0.0.7)": where the remedy said the backup is.
std::string whereTheBackupIs(const Details& onAir) {
    const std::string id = detail(onAir, "instance_id"), pub = detail(onAir, "public_ip"), priv = detail(onAir, "private_ip");
    std::string text = id;
    if (!pub.empty()) text += (text.empty() ? "at " : " at ") + pub;
    if (!priv.empty()) text += (text.empty() ? "private " : ", private ") + priv;
    return text.empty() ? "" : " (" + text + ")";
}

// The source addresses a check reports: its `source_ip` details (icecast: "/live source_ip").
std::vector<std::string> sourceAddresses(const Result& r) {
    static const std::string kKey = "source_ip";
    std::vector<std::string> out;
    for (const auto& [key, value] : r.details)
        if (key == kKey || (key.size() > kKey.size() && key.compare(key.size() - kKey.size() - 1, std::string::npos, " " + kKey) == 0))
            out.push_back(value);
    return out;
}

// With `from_backup`, why a passing verify check does not show the backup feeding it; "" if it does
// (every source address it reports is one the remedy reported for the instance).
std::string notFromBackup(const CheckSnapshot& c, const Details& onAir) {
    const std::string pub = detail(onAir, "public_ip"), priv = detail(onAir, "private_ip");
    const auto sources = sourceAddresses(c.last);
    if (sources.empty()) return c.label + " reports no source address";
    for (const auto& ip : sources)
        if (ip != pub && ip != priv)
            return c.label + " is fed from " + ip + ", not the backup" +
                   (pub.empty() && priv.empty() ? " (its start reported no address)" : "");
    return "";
}

}  // namespace

LimitStanding limitStanding(const RuleSpec& spec, const RuleState& state, TimePoint now) {
    LimitStanding standing;
    if (spec.limitCount <= 0) return standing;
    std::vector<TimePoint> inWindow;
    for (const auto& t : state.runs)
        if (t > now - spec.limitPer) inWindow.push_back(t);
    std::sort(inWindow.begin(), inWindow.end());
    standing.runs = static_cast<int>(inWindow.size());
    // The window admits another run once all but count-1 of the runs in it have left it.
    if (standing.runs >= spec.limitCount)
        standing.reopens = inWindow[inWindow.size() - static_cast<std::size_t>(spec.limitCount)] + spec.limitPer;
    return standing;
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

// A flapping check counts as failing (its passes cannot be trusted) unless the rule says
// `flapping: ignore`, which leaves it out while it flaps.
bool RuleEngine::countsAsFailing(const Rule& rule, const CheckSnapshot& check) const {
    if (checkCovered(check.id)) return false;
    if (check.flapping) return !rule.spec.ignoreFlapping;
    return check.health == Health::Failing;
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

// `limit` guards against a restart loop (Monit's "if N restarts within M cycles"): past it the
// incident waits in Limited, says once when the window reopens, and runs the remedies then if the
// checks still fail.
void RuleEngine::fireWithinLimit(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out,
                                 const std::string& why) {
    const TimePoint now = clock_.now();
    const LimitStanding standing = limitStanding(rule.spec, rule.state, now);
    if (!standing.reopens) {
        if (rule.spec.limitCount > 0) {
            rule.state.runs.erase(
                std::remove_if(rule.state.runs.begin(), rule.state.runs.end(), [&](TimePoint t) { return t <= now - rule.spec.limitPer; }),
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

std::vector<std::string> RuleEngine::incidentNotifiers(const RuleSpec& spec) const {
    std::vector<std::string> targets;
    for (const auto* list : {&spec.warn.ids, &spec.recover.ids})
        for (const auto& id : *list)
            if (isNotifier(id) && std::find(targets.begin(), targets.end(), id) == targets.end()) targets.push_back(id);
    return targets;
}

void RuleEngine::noteOutcome(Rule& rule, bool ok, const Details& details) {
    if (!ok) rule.state.remedyFailed = true;
    for (const auto& [key, value] : details) {
        if (key == kDryRunDetail) rule.state.dryRun = true;
        if (key != "instance_id" && key != "public_ip" && key != "private_ip") continue;
        auto it = std::find_if(rule.state.onAir.begin(), rule.state.onAir.end(), [&](const auto& d) { return d.first == key; });
        if (it == rule.state.onAir.end())
            rule.state.onAir.emplace_back(key, value);
        else
            it->second = value;
    }
    startVerifying(rule);
}

// The takeover is verified only after every remedy reported success: a failed start or a dry run
// put nothing on air, and its outcome already said so.
void RuleEngine::startVerifying(Rule& rule) {
    if (rule.spec.verifyChecks.empty() || rule.state.phase != RulePhase::Fired || rule.state.remedyFailed || rule.state.dryRun) return;
    for (const auto& [id, progress] : rule.state.remedies)
        if (progress != RemedyProgress::Reported) return;
    const TimePoint now = clock_.now();
    rule.state.phase = RulePhase::Verifying;
    rule.state.verifyFrom = now;
    rule.state.deadline = now + rule.spec.verifyWithin;
}

// Only results that arrived after the remedies succeeded count: a verify check that passed before
// the failover says nothing about the backup.
void RuleEngine::verifyTakeover(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    std::vector<std::string> notYet;
    std::string notTheBackup;  // with from_backup: the first verify check that passes fed by another source
    for (const auto& id : rule.spec.verifyChecks) {
        auto c = std::find_if(checks.begin(), checks.end(), [&](const CheckSnapshot& s) { return s.id == id; });
        bool passes =
            c != checks.end() && c->hasResult && c->lastRun >= rule.state.verifyFrom && c->health == Health::Passing && !c->flapping;
        if (passes && rule.spec.verifyFromBackup) {
            const std::string why = notFromBackup(*c, rule.state.onAir);
            if (!why.empty() && notTheBackup.empty()) notTheBackup = why;
            passes = why.empty();
        }
        if (!passes) notYet.push_back(id);
    }
    const TimePoint now = clock_.now();
    if (!notYet.empty() && now < rule.state.deadline) return;
    Event e = makeEvent(notYet.empty() ? EventType::Verified : EventType::NotVerified, rule, checks);
    e.details = rule.state.onAir;
    e.duration = since(rule.state.fired, now);
    if (notYet.empty()) {
        e.summary = "Backup on air after " + human::duration(*e.duration) + ": " + labelsOf(rule.spec.verifyChecks, checks) +
                    (rule.spec.verifyChecks.size() == 1 ? " passes" : " pass") + (rule.spec.verifyFromBackup ? " fed by the backup" : "") +
                    whereTheBackupIs(rule.state.onAir);
    } else {
        e.failing = notYet;
        e.summary = "Backup started but not on air: " + labelsOf(notYet, checks) + (notYet.size() == 1 ? " does" : " do") + " not pass " +
                    human::duration(rule.spec.verifyWithin) + " after " + joinIds(rule.spec.then.ids) + " succeeded" +
                    whereTheBackupIs(rule.state.onAir) + (notTheBackup.empty() ? "" : "; " + notTheBackup);
    }
    out.push_back({std::move(e), incidentNotifiers(rule.spec)});
    rule.state.phase = RulePhase::Fired;  // verified or escalated, once: the backup stays on
    rule.state.deadline = TimePoint{};
}

void RuleEngine::recover(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    const TimePoint now = clock_.now();
    Event e = makeEvent(EventType::Recovered, rule, checks);
    e.duration = since(rule.state.opened, now);
    const auto still = failingChecks(rule, checks);
    e.summary = "Recovered after " + human::duration(*e.duration) + ": " +
                (still.empty() ? "every check of " + rule.spec.id + " passes"
                               : "below the threshold (still failing: " + labelsOf(still, checks) + ")");
    if (!rule.spec.failback) {
        out.push_back({std::move(e), rule.spec.recover.ids});
        close(rule);
        return;
    }
    e.summary += "; failing back in " + human::duration(rule.spec.failbackAfter) + " if it stays so" +
                 (rule.spec.failbackThen.ids.empty() ? "" : " (" + joinIds(rule.spec.failbackThen.ids) + ")");
    out.push_back({std::move(e), rule.spec.recover.ids});
    rule.state.phase = RulePhase::FailingBack;
    rule.state.deadline = now + rule.spec.failbackAfter;
}

// A failure while failing back is the same incident: the backup is still on, so nothing runs again.
void RuleEngine::failBack(Rule& rule, bool active, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out) {
    const TimePoint now = clock_.now();
    if (active) {
        Event e = makeEvent(EventType::FailbackCancelled, rule, checks);
        e.failing = failingChecks(rule, checks);
        e.summary = "Failing again " + human::duration(since(rule.state.deadline - rule.spec.failbackAfter, now)) +
                    " after the recovery (" + labelsOf(e.failing, checks) + "): failback cancelled, the backup stays on";
        out.push_back({std::move(e), rule.spec.warn.ids});
        rule.state.phase = RulePhase::Fired;
        rule.state.deadline = TimePoint{};
        return;
    }
    if (now < rule.state.deadline) return;
    Event e = makeEvent(EventType::Failback, rule, checks);
    e.details = rule.state.onAir;
    e.duration = since(rule.state.opened, now);
    e.summary = "Healthy for " + human::duration(rule.spec.failbackAfter) + " since the recovery: failing back" +
                (rule.spec.failbackThen.ids.empty() ? "" : ", running " + joinIds(rule.spec.failbackThen.ids)) +
                whereTheBackupIs(rule.state.onAir);
    out.push_back({std::move(e), rule.spec.failbackThen.ids});
    close(rule);
}

}  // namespace watchdog
