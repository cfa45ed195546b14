#include "config/Pipeline.h"

#include "common/Spelling.h"
#include "config/Variables.h"
#include "watchdog/Duration.h"

#include <Poco/Path.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <regex>
#include <set>

namespace watchdog {

namespace {

std::string joinLines(const std::vector<ConfigError>& errors) {
    std::string s;
    for (const auto& e : errors) s += (s.empty() ? "" : "\n") + std::string(e.what());
    return s;
}

/// Runs `step`, keeping a ConfigError for the report instead of stopping at the first one.
void collect(std::vector<ConfigError>& errors, const std::function<void()>& step) {
    try {
        step();
    } catch (const ConfigError& e) {
        errors.push_back(e);
    } catch (const ConfigErrors& many) {
        errors.insert(errors.end(), many.errors().begin(), many.errors().end());
    }
}

std::shared_ptr<const ConfigNode> share(const ConfigNodePtr& root, const ConfigNode* node) {
    return std::shared_ptr<const ConfigNode>(root, node);
}

const ConfigNode* section(const ConfigNode& root, const char* key, ConfigNode::Kind kind, const char* kindWord) {
    const ConfigNode* n = root.kind == ConfigNode::Kind::Map ? root.find(key) : nullptr;
    if (n == nullptr || n->kind == ConfigNode::Kind::Null) return nullptr;
    if (n->kind != kind) throw ConfigError(n->mark, std::string(key) + ": expected " + kindWord + ", found " + n->kindName());
    return n;
}

std::string absoluteDirectoryOf(const std::string& file) {
    Poco::Path p(file);
    p.makeAbsolute();
    return p.parent().toString();
}

std::string resolve(const std::string& dir, const std::string& p) {
    if (p.empty() || p[0] == '/') return p;
    Poco::Path base(dir);
    base.makeDirectory();
    base.append(Poco::Path(p));
    return base.toString();
}

int toInt(long long v) { return static_cast<int>(v); }

void readWatchdog(Pipeline& p, const Options& w, std::chrono::milliseconds& interval, std::chrono::milliseconds& timeout) {
    p.name = w.string("name", p.name);
    interval = w.duration("interval", interval);
    timeout = w.duration("timeout", timeout);
    if (interval.count() <= 0) w.fail("interval", "must be more than 0");
    if (timeout.count() <= 0) w.fail("timeout", "must be more than 0");
    // Under systemd, StateDirectory= gives a writable folder; otherwise state lives beside the pipeline.
    const char* stateDir = std::getenv("STATE_DIRECTORY");
    std::string defaultState = stateDir && *stateDir ? std::string(stateDir) + "/state.json" : "state.json";
    p.stateFile = w.path("state_file", defaultState);
    w.markKnown({"env_file"});
    for (const auto& dir : w.stringList("plugin_path")) p.pluginPath.push_back(resolve(p.directory, dir));
}

void readLog(Pipeline& p, const Options& l) {
    p.log.console = l.boolean("console", true);
    p.log.file = l.path("file", "");
    p.log.rotation = l.string("rotation", "daily");
    if (p.log.rotation != "daily" && p.log.rotation != "weekly" && p.log.rotation != "never" && !parseSize(p.log.rotation))
        l.fail("rotation", "'" + p.log.rotation + "' is not a rotation (use daily, weekly, never or a size such as 10M)");
    p.log.keep = toInt(l.integer("keep", 14, 0, 10000));
    p.log.level = l.choice("level", {"fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"},
                           "information");
}

void readHttp(Pipeline& p, const Options& h) {
    p.http.enabled = true;
    std::string listen = h.string("listen", "127.0.0.1:9480");
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) h.fail("listen", "'" + listen + "' is not HOST:PORT (e.g. 127.0.0.1:9480)");
    p.http.host = listen.substr(0, colon);
    const std::string port = listen.substr(colon + 1);
    char* end = nullptr;
    long n = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || n < 0 || n > 65535) h.fail("listen", "'" + port + "' is not a port (0-65535)");
    p.http.port = static_cast<int>(n);
    p.http.token = h.secret("token", "");
}

PluginBlock readPluginBlock(const ConfigNodePtr& root, const ConfigEntry& entry, const std::string& where, const Pipeline& p) {
    const ConfigNode& node = *entry.value;
    if (node.kind != ConfigNode::Kind::Map)
        throw ConfigError(node.kind == ConfigNode::Kind::Null ? entry.keyMark : node.mark,
                          where + ": expected a mapping with at least `plugin:`, found " + node.kindName());
    PluginBlock b{entry.key, {}, {}, {}, Options(share(root, &node), where, p.directory)};
    b.plugin = b.options.string("plugin");
    b.pluginMark = node.find("plugin")->mark;
    b.label = b.options.string("label", entry.key);
    return b;
}

void readChecks(Pipeline& p, const ConfigNodePtr& root, const ConfigNode& checks, std::chrono::milliseconds interval,
                std::chrono::milliseconds timeout, std::vector<ConfigError>& errors) {
    for (const auto& entry : checks.entries) {
        collect(errors, [&] {
            PluginBlock base = readPluginBlock(root, entry, "checks." + entry.key, p);
            CheckBlock c;
            static_cast<PluginBlock&>(c) = base;
            const Options& o = c.options;
            c.interval = o.duration("interval", interval);
            c.timeout = o.duration("timeout", std::min(timeout, c.interval));
            if (c.interval.count() <= 0) o.fail("interval", "must be more than 0");
            if (c.timeout.count() <= 0) o.fail("timeout", "must be more than 0");
            c.failAfter = toInt(o.integer("fail_after", 1, 1, 1000));
            c.passAfter = toInt(o.integer("pass_after", 1, 1, 1000));
            if (o.boolean("enabled", true)) p.checks.push_back(std::move(c));
        });
    }
}

void readActions(Pipeline& p, const ConfigNodePtr& root, const ConfigNode& actions, std::vector<ConfigError>& errors) {
    for (const auto& entry : actions.entries) {
        collect(errors, [&] {
            PluginBlock base = readPluginBlock(root, entry, "actions." + entry.key, p);
            ActionBlock a;
            static_cast<PluginBlock&>(a) = base;
            a.dryRun = a.options.boolean("dry_run", false);
            p.actions.push_back(std::move(a));
        });
    }
}

void readSinks(Pipeline& p, const ConfigNodePtr& root, const ConfigNode& sinks, std::vector<ConfigError>& errors) {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < sinks.items.size(); ++i) {
        collect(errors, [&] {
            const ConfigNode& node = *sinks.items[i];
            ConfigEntry entry{"", node.mark, sinks.items[i]};
            PluginBlock b = readPluginBlock(root, entry, "sinks[" + std::to_string(i) + "]", p);
            b.id = b.options.string("id", b.plugin);
            if (!ids.insert(b.id).second)
                b.options.fail("id", "two sinks are called '" + b.id + "'; give one of them `id: another-name`");
            p.sinks.push_back(std::move(b));
        });
    }
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
        if (!actionIds.count(id)) o.fail(key, "no action is called '" + id + "'" + didYouMean(id, known));
    return list;
}

void readCondition(RuleSpec& r, const Options& o, const std::set<std::string>& allCheckIds, const std::set<std::string>& enabled) {
    r.when = o.string("when");
    static const std::regex form(R"(^\s*(any|all|\d+)(\s+of\s+(\*|\[([^\]]*)\]))?\s*$)");
    std::smatch m;
    if (!std::regex_match(r.when, m, form))
        o.fail("when", "'" + r.when + "' is not a condition (use `2 of [icecast, ts_age]`, `any of *`, `all`)");
    std::vector<std::string> named;
    if (m[4].matched) {
        std::string list = m[4].str();
        std::regex item(R"([^,\s]+)");
        for (auto it = std::sregex_iterator(list.begin(), list.end(), item); it != std::sregex_iterator(); ++it)
            named.push_back(it->str());
        std::vector<std::string> known(allCheckIds.begin(), allCheckIds.end());
        for (const auto& id : named)
            if (!allCheckIds.count(id)) o.fail("when", "no check is called '" + id + "'" + didYouMean(id, known));
    } else {
        named.assign(allCheckIds.begin(), allCheckIds.end());
    }
    for (const auto& id : named)
        if (enabled.count(id)) r.checks.push_back(id);
    const std::string count = m[1].str();
    if (count == "any") r.threshold = 1;
    else if (count == "all") r.threshold = static_cast<int>(r.checks.size());
    else r.threshold = std::atoi(count.c_str());
    if (r.threshold < 1) o.fail("when", "the count must be at least 1");
    if (r.threshold > static_cast<int>(named.size()))
        o.fail("when", "needs " + count + " failing checks but names only " + std::to_string(named.size()));
}

void readRules(Pipeline& p, const ConfigNodePtr& root, const ConfigNode& rules, const std::set<std::string>& allCheckIds,
               std::vector<ConfigError>& errors) {
    std::set<std::string> actionIds, enabled;
    for (const auto& a : p.actions) actionIds.insert(a.id);
    for (const auto& c : p.checks) enabled.insert(c.id);
    for (const auto& entry : rules.entries) {
        collect(errors, [&] {
            const std::string where = "rules." + entry.key;
            if (entry.value->kind != ConfigNode::Kind::Map)
                throw ConfigError(entry.value->mark, where + ": expected a mapping with when:, on: or every:");
            Options o(share(root, entry.value.get()), where, p.directory);
            RuleSpec r;
            r.id = entry.key;
            const bool hasWhen = o.has("when"), hasOn = o.has("on"), hasEvery = o.has("every");
            if (int(hasWhen) + int(hasOn) + int(hasEvery) != 1)
                o.fail("", "give exactly one trigger: `when: N of [checks]`, `on: startup|check_error` or `every: DURATION`");
            if (hasWhen) {
                r.trigger = RuleSpec::Trigger::Condition;
                readCondition(r, o, allCheckIds, enabled);
                r.warn = readActionList(o, "warn", actionIds);
                r.wait = o.duration("wait", std::chrono::milliseconds(0));
                r.then = readActionList(o, "then", actionIds);
                r.recover = readActionList(o, "recover", actionIds);
            } else if (hasOn) {
                std::string on = o.choice("on", {"startup", "check_error"}, "");
                r.trigger = on == "startup" ? RuleSpec::Trigger::Startup : RuleSpec::Trigger::CheckError;
                r.then = readActionList(o, "then", actionIds);
                if (r.trigger == RuleSpec::Trigger::CheckError) r.throttle = o.duration("throttle", std::chrono::minutes(15));
            } else {
                r.trigger = RuleSpec::Trigger::Every;
                r.every = o.duration("every");
                if (r.every.count() <= 0) o.fail("every", "must be more than 0");
                r.then = readActionList(o, "then", actionIds);
            }
            o.rejectUnknownKeys();
            p.rules.push_back(std::move(r));
        });
    }
}

}  // namespace

ConfigErrors::ConfigErrors(std::vector<ConfigError> errors) : std::runtime_error(joinLines(errors)), errors_(std::move(errors)) {}

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

Pipeline loadPipeline(const std::string& path) {
    Pipeline p;
    p.file = path;
    p.directory = absoluteDirectoryOf(path);
    ConfigNodePtr root;
    try {
        root = parseYamlFile(path);
    } catch (const ConfigError& e) {
        throw ConfigErrors({e});
    }
    p.root = root;
    if (root->kind == ConfigNode::Kind::Null) throw ConfigErrors({ConfigError(SourceMark{path, 0, 0}, "the file is empty")});
    if (root->kind != ConfigNode::Kind::Map)
        throw ConfigErrors({ConfigError(root->mark, "expected a mapping with watchdog:, checks:, actions:, rules:, sinks:")});

    // env_file is read before substitution: it feeds ${VAR}.
    std::map<std::string, std::string> fileValues;
    std::vector<ConfigError> errors;
    if (const ConfigNode* w = root->find("watchdog"); w && w->kind == ConfigNode::Kind::Map)
        if (const ConfigNode* env = w->find("env_file"); env && env->kind == ConfigNode::Kind::Scalar && !env->raw.empty())
            collect(errors, [&] {
                try {
                    fileValues = readEnvFile(resolve(p.directory, env->raw));
                } catch (const ConfigError& e) {
                    if (e.mark().line > 0) throw;
                    throw ConfigError(env->mark, "watchdog.env_file: cannot read '" + env->raw + "'");
                }
            });
    if (!errors.empty()) throw ConfigErrors(errors);
    try {
        substituteVariables(*root, environmentThen(std::move(fileValues)));
    } catch (const ConfigError& e) {
        throw ConfigErrors({e});
    }

    Options top(root, "", p.directory);
    auto interval = std::chrono::milliseconds(60000);
    auto timeout = std::chrono::milliseconds(10000);
    collect(errors, [&] { readWatchdog(p, top.child("watchdog"), interval, timeout); });
    collect(errors, [&] { if (top.has("log")) readLog(p, top.child("log")); });
    collect(errors, [&] { if (top.has("http")) readHttp(p, top.child("http")); });
    top.markKnown({"checks", "actions", "rules", "sinks", "log", "http"});

    std::set<std::string> allCheckIds;
    collect(errors, [&] {
        if (const ConfigNode* checks = section(*root, "checks", ConfigNode::Kind::Map, "a mapping of check id to its options")) {
            for (const auto& e : checks->entries) allCheckIds.insert(e.key);
            readChecks(p, root, *checks, interval, timeout, errors);
        }
    });
    collect(errors, [&] {
        if (const ConfigNode* actions = section(*root, "actions", ConfigNode::Kind::Map, "a mapping of action id to its options"))
            readActions(p, root, *actions, errors);
    });
    collect(errors, [&] {
        if (const ConfigNode* sinks = section(*root, "sinks", ConfigNode::Kind::Sequence, "a list of sinks"))
            readSinks(p, root, *sinks, errors);
    });
    collect(errors, [&] {
        if (const ConfigNode* rules = section(*root, "rules", ConfigNode::Kind::Map, "a mapping of rule id to its trigger")) {
            p.defaultRules = false;
            readRules(p, root, *rules, allCheckIds, errors);
        }
    });
    collect(errors, [&] { top.rejectUnknownKeys(); });
    if (!errors.empty()) {
        std::stable_sort(errors.begin(), errors.end(), [](const ConfigError& a, const ConfigError& b) {
            return a.mark().line < b.mark().line || (a.mark().line == b.mark().line && a.mark().column < b.mark().column);
        });
        throw ConfigErrors(errors);
    }
    if (p.defaultRules) p.rules = defaultRules(p.checks);
    return p;
}

}  // namespace watchdog
