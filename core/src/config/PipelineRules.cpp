#include "config/PipelineRules.h"

#include "common/Spelling.h"
#include <watchdog/Duration.h>

#include <algorithm>
#include <limits>
#include <regex>

namespace watchdog {

namespace {

void append(std::vector<ConfigError>& to, const std::vector<ConfigError>& more) { to.insert(to.end(), more.begin(), more.end()); }

std::shared_ptr<const ConfigNode> share(const ConfigNodePtr& root, const ConfigNode* node) {
    return std::shared_ptr<const ConfigNode>(root, node);
}

std::vector<std::string> ids(const std::vector<CheckBlock>& checks) {
    std::vector<std::string> out;
    for (const auto& c : checks) out.push_back(c.id);
    return out;
}

ActionList readActionList(const Options& o, const std::string& key, const std::set<std::string>& actionIds) {
    ActionList list;
    list.ids = o.stringList(key);
    std::vector<std::string> known(actionIds.begin(), actionIds.end());
    for (const auto& id : list.ids)
        if (!actionIds.count(id)) o.report(key, "no action is called '" + id + "'" + didYouMean(id, known));
    return list;
}

void readCondition(RuleSpec& r, const Options& o, const std::set<std::string>& allCheckIds, const std::set<std::string>& enabled) {
    r.when = o.string("when");
    static const std::regex form(R"(^\s*(any|all|\d+)(\s+of\s+(\*|\[([^\]]*)\]))?\s*$)");
    std::smatch m;
    if (!std::regex_match(r.when, m, form))
        return o.report("when", "'" + r.when + "' is not a condition (use `2 of [icecast, ts_age]`, `any of *`, `all`)");
    std::vector<std::string> named;
    if (m[4].matched) {
        std::string list = m[4].str();
        std::regex item(R"([^,\s]+)");
        for (auto it = std::sregex_iterator(list.begin(), list.end(), item); it != std::sregex_iterator(); ++it) named.push_back(it->str());
        std::vector<std::string> known(allCheckIds.begin(), allCheckIds.end());
        for (const auto& id : named)
            if (!allCheckIds.count(id)) o.report("when", "no check is called '" + id + "'" + didYouMean(id, known));
    } else {
        named.assign(allCheckIds.begin(), allCheckIds.end());
    }
    std::set<std::string> seen;
    std::string disabled;
    for (const auto& id : named) {
        if (!seen.insert(id).second)
            o.report("when", "names '" + id + "' twice; each check counts once");
        else if (enabled.count(id))
            r.checks.push_back(id);
        else if (allCheckIds.count(id))
            disabled += (disabled.empty() ? "" : ", ") + id;
    }
    const std::string count = m[1].str();
    // Compared as text length first: "4294967297 of [a, b]" must not wrap around to "1 of".
    const long long wanted = count == "any"     ? 1
                             : count == "all"   ? static_cast<long long>(std::max<std::size_t>(1, r.checks.size()))
                             : count.size() > 9 ? std::numeric_limits<long long>::max()
                                                : std::stoll(count);
    if (wanted < 1)
        o.report("when", "the count must be at least 1");
    else if (wanted > static_cast<long long>(seen.size()))
        o.report("when", "needs " + count + " failing checks but names only " + std::to_string(seen.size()));
    else if (wanted > static_cast<long long>(r.checks.size()) && !disabled.empty())
        o.report("when", "needs " + count + " failing checks but only " + std::to_string(r.checks.size()) +
                             " of those it names are enabled (disabled: " + disabled + "); it could never fire");
    else
        r.threshold = static_cast<int>(wanted);
}

/// `limit: {count: 2, per: 24h}`: a cap on remedy runs in a sliding window.
void readRemedyLimit(RuleSpec& r, const Options& o) {
    const Options limit = o.child("limit");
    const long long count = limit.integer("count", Options::LLONG_MIN_, Options::LLONG_MAX_);
    if (count < 1 || count > 1000000)
        limit.report("count", count < 1 ? "must be at least 1 (leave limit: out for no limit)" : "must be at most 1000000");
    else
        r.limitCount = static_cast<int>(count);
    r.limitPer = limit.duration("per");
    if (r.limitPer.count() <= 0) {
        limit.report("per", "must be more than 0");
        r.limitCount = 0;
    }
}

/// `verify: {checks: [...], within: 5m, from_backup: true}`: checks that must pass after the remedies
/// succeed (and, with from_backup, report the started instance's address as their source_ip).
void readVerify(RuleSpec& r, const Options& o, const std::set<std::string>& allCheckIds, const std::set<std::string>& enabled,
                bool startsInstance) {
    const Options verify = o.child("verify");
    std::vector<std::string> known(allCheckIds.begin(), allCheckIds.end());
    for (const auto& id : verify.stringList("checks")) {
        if (!allCheckIds.count(id))
            verify.report("checks", "no check is called '" + id + "'" + didYouMean(id, known));
        else if (!enabled.count(id))
            verify.report("checks", "'" + id + "' has enabled: false; it could never pass");
        else if (std::find(r.verifyChecks.begin(), r.verifyChecks.end(), id) == r.verifyChecks.end())
            r.verifyChecks.push_back(id);
    }
    if (!verify.has("checks")) verify.report("checks", "name the checks that show the backup is on air (e.g. [backup_stream])");
    r.verifyWithin = verify.duration("within");
    if (r.verifyWithin.count() <= 0) verify.report("within", "must be more than 0");
    r.verifyFromBackup = verify.boolean("from_backup", false);
    if (r.verifyFromBackup && !startsInstance)
        verify.report("from_backup", "needs an aws_start action in then: the backup's address comes from its start");
}

/// `failback: {after: 15m, then: [...]}`. A recovery shorter than a check interval has not been
/// observed twice: `after` must be at least the longest interval of the rule's checks.
Options readFailback(RuleSpec& r, const Options& o, const Pipeline& p, const std::set<std::string>& actionIds) {
    const Options failback = o.child("failback");
    r.failback = true;
    r.failbackAfter = failback.duration("after");
    r.failbackThen = readActionList(failback, "then", actionIds);
    const CheckBlock* slowest = nullptr;
    for (const auto& c : p.checks)
        if (std::find(r.checks.begin(), r.checks.end(), c.id) != r.checks.end() && (!slowest || c.interval > slowest->interval))
            slowest = &c;
    if (r.failbackAfter.count() <= 0)
        failback.report("after", "must be more than 0");
    else if (slowest && r.failbackAfter < slowest->interval)
        failback.report("after", formatDuration(r.failbackAfter) + " is shorter than the interval of " + slowest->id + " (" +
                                     formatDuration(slowest->interval) + "): the recovery would not be seen twice");
    return failback;
}

/// Whether an aws_start action is among the rule's remedies (the one action that reports an address).
bool startsAnInstance(const RuleSpec& r, const Pipeline& p) {
    for (const auto& id : r.then.ids)
        for (const auto& a : p.actions)
            if (a.id == id && a.plugin == "aws_start") return true;
    return false;
}

/// The action's `instance_id` node (after ${VAR} substitution: readPipeline substitutes the whole
/// tree before the rules are read), or nullptr when it has none.
const ConfigNode* instanceOf(const Pipeline& p, const std::string& actionId) {
    const ConfigNode* actions = p.root ? p.root->find("actions") : nullptr;
    const ConfigNode* action = actions && actions->kind == ConfigNode::Kind::Map ? actions->find(actionId) : nullptr;
    const ConfigNode* id = action && action->kind == ConfigNode::Kind::Map ? action->find("instance_id") : nullptr;
    return id && id->kind == ConfigNode::Kind::Scalar ? id : nullptr;
}

/// A rule must never stop an instance it did not start: every aws_stop in any of its action lists
/// (warn, then, recover, failback.then) names the instance of every aws_start in then. The ids are
/// compared as substituted, so `${BACKUP_ID}` and the literal id it holds are the same instance; an
/// unset variable was already reported. The ids are not printed: they may come from ${VAR}.
void requireSameInstance(const RuleSpec& r, const Options& o, const Options* failback, const Pipeline& p) {
    auto pluginOf = [&](const std::string& id) {
        for (const auto& a : p.actions)
            if (a.id == id) return a.plugin;
        return std::string();
    };
    auto check = [&](const Options& where, const std::string& key, const ActionList& list, const std::string& consequence) {
        for (const auto& stop : list.ids) {
            if (pluginOf(stop) != "aws_stop") continue;
            const ConfigNode* stopped = instanceOf(p, stop);
            for (const auto& start : r.then.ids) {
                if (pluginOf(start) != "aws_start") continue;
                const ConfigNode* started = instanceOf(p, start);
                if ((stopped && stopped->unresolved) || (started && started->unresolved)) continue;
                if ((stopped ? stopped->value : "") != (started ? started->value : ""))
                    where.report(key, "aws_stop action '" + stop + "' names another instance_id than aws_start action '" + start +
                                          "' in then: " + consequence);
            }
        }
    };
    const std::string never = "it would stop an instance this rule never started";
    check(o, "warn", r.warn, never);
    check(o, "then", r.then, never);
    check(o, "recover", r.recover, never);
    if (failback) check(*failback, "then", r.failbackThen, "failing back would stop an instance this rule never started");
}

}  // namespace

void readRules(Pipeline& p, const ConfigNodePtr& root, const ConfigNode& rules, const std::set<std::string>& allCheckIds,
               std::vector<ConfigError>& errors) {
    std::set<std::string> actionIds, enabled;
    for (const auto& a : p.actions) actionIds.insert(a.id);
    for (const auto& c : p.checks) enabled.insert(c.id);
    for (const auto& entry : rules.entries) {
        collectConfigErrors(errors, [&] {
            const std::string where = "rules." + entry.key;
            if (entry.value->kind != ConfigNode::Kind::Map)
                throw ConfigError(entry.value->mark, where + ": expected a mapping with when:, on: or every:");
            Options o(share(root, entry.value.get()), where, p.directory);
            o.collectProblems();
            RuleSpec r;
            r.id = entry.key;
            const bool hasWhen = o.has("when"), hasOn = o.has("on"), hasEvery = o.has("every");
            if (int(hasWhen) + int(hasOn) + int(hasEvery) != 1) {
                o.markKnown({"warn", "wait", "then", "recover", "throttle", "limit", "flapping", "verify", "failback"});
                o.report("", "give exactly one trigger: `when: N of [checks]`, `on: startup|check_error` or `every: DURATION`");
            } else if (hasWhen) {
                r.trigger = RuleSpec::Trigger::Condition;
                readCondition(r, o, allCheckIds, enabled);
                r.warn = readActionList(o, "warn", actionIds);
                r.wait = o.duration("wait", std::chrono::milliseconds(0));
                r.then = readActionList(o, "then", actionIds);
                r.recover = readActionList(o, "recover", actionIds);
                if (o.has("limit")) readRemedyLimit(r, o);
                r.ignoreFlapping = o.choice("flapping", {"failing", "ignore"}, "failing") == "ignore";
                if (o.has("verify")) readVerify(r, o, allCheckIds, enabled, startsAnInstance(r, p));
                if (o.has("failback")) {
                    const Options failback = readFailback(r, o, p, actionIds);
                    requireSameInstance(r, o, &failback, p);
                } else {
                    requireSameInstance(r, o, nullptr, p);
                }
            } else if (hasOn) {
                std::string on = o.choice("on", {"startup", "check_error"}, "");
                r.trigger = on == "startup" ? RuleSpec::Trigger::Startup : RuleSpec::Trigger::CheckError;
                r.then = readActionList(o, "then", actionIds);
                if (r.trigger == RuleSpec::Trigger::CheckError) r.throttle = o.duration("throttle", std::chrono::minutes(15));
            } else {
                r.trigger = RuleSpec::Trigger::Every;
                r.every = o.duration("every");
                if (r.every.count() <= 0) o.report("every", "must be more than 0");
                r.then = readActionList(o, "then", actionIds);
            }
            const std::size_t before = errors.size();
            append(errors, o.recordedProblems());
            append(errors, o.unknownKeys());
            if (errors.size() == before) p.rules.push_back(std::move(r));
        });
    }
}

std::vector<RuleSpec> defaultRules(const std::vector<CheckBlock>& checks) {
    std::vector<RuleSpec> rules;
    RuleSpec failover;
    failover.id = "failover";
    failover.checks = ids(checks);
    failover.threshold = std::max(1, std::min(2, static_cast<int>(checks.size())));
    failover.when = std::to_string(failover.threshold) + " of *";
    failover.warn.allNotifiers = failover.recover.allNotifiers = true;
    failover.then.allRemedies = true;
    failover.wait = std::chrono::seconds(300);
    if (!checks.empty()) rules.push_back(failover);

    RuleSpec online;
    online.id = "online";
    online.trigger = RuleSpec::Trigger::Startup;
    online.then.allNotifiers = true;
    rules.push_back(online);

    RuleSpec status;
    status.id = "status";
    status.trigger = RuleSpec::Trigger::Every;
    status.every = std::chrono::hours(1);
    status.then.allNotifiers = true;
    rules.push_back(status);

    RuleSpec errors;
    errors.id = "errors";
    errors.trigger = RuleSpec::Trigger::CheckError;
    errors.throttle = std::chrono::minutes(15);
    errors.then.allNotifiers = true;
    rules.push_back(errors);
    return rules;
}

}  // namespace watchdog
