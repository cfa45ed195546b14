#include "config/Pipeline.h"
#include "config/PipelineRules.h"

#include "common/Spelling.h"
#include "config/Variables.h"
#include <watchdog/Duration.h>

#include <Poco/Net/IPAddress.h>
#include <Poco/Path.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <limits>
#include <regex>
#include <set>
#include <tuple>

namespace watchdog {

namespace {

void append(std::vector<ConfigError>& to, const std::vector<ConfigError>& more) { to.insert(to.end(), more.begin(), more.end()); }

std::string joinLines(const std::vector<ConfigError>& errors) {
    std::string s;
    for (const auto& e : errors) s += (s.empty() ? "" : "\n") + std::string(e.what());
    return s;
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
    p.allowNoChecks = w.boolean("allow_no_checks", false);
    // A bad default is reported once, here; the checks then inherit the built-in one.
    if (auto i = w.duration("interval", interval); i.count() > 0)
        interval = i;
    else
        w.report("interval", "must be more than 0");
    if (auto t = w.duration("timeout", timeout); t.count() > 0)
        timeout = t;
    else
        w.report("timeout", "must be more than 0");
    // Under systemd, StateDirectory= gives a writable folder; otherwise state lives beside the pipeline.
    const char* stateDir = std::getenv("STATE_DIRECTORY");
    std::string defaultState = stateDir && *stateDir ? std::string(stateDir) + "/state.json" : "state.json";
    p.stateFile = w.path("state_file", defaultState);
    p.statusMinInterval = w.duration("status_min_interval", p.statusMinInterval);
    w.markKnown({"env_file"});
    for (const auto& dir : w.stringList("plugin_path")) p.pluginPath.push_back(resolve(p.directory, dir));
}

void readLog(Pipeline& p, const Options& l) {
    p.log.console = l.boolean("console", true);
    p.log.file = l.path("file", "");
    p.log.rotation = l.string("rotation", "daily");
    if (p.log.rotation != "daily" && p.log.rotation != "weekly" && p.log.rotation != "never" && !parseSize(p.log.rotation))
        l.report("rotation", "'" + p.log.rotation + "' is not a rotation (use daily, weekly, never or a size such as 10M)");
    p.log.keep = toInt(l.integer("keep", 14, 0, 10000));
    p.log.level = l.choice("level", {"fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"}, "information");
}

void readHttp(Pipeline& p, const Options& h) {
    p.http.enabled = true;
    const std::string listen = h.string("listen", "127.0.0.1:9480");
    p.http.token = h.secret("token", "");
    p.http.allowUnauthenticated = h.boolean("allow_unauthenticated", false);
    // A listen address that came from ${VAR} is shown as written, never as its value.
    const ConfigNode* block = p.root ? p.root->find("http") : nullptr;
    const ConfigNode* node = block && block->kind == ConfigNode::Kind::Map ? block->find("listen") : nullptr;
    const bool hidden = node != nullptr && node->fromEnvironment;
    const std::string shown = "'" + (hidden ? node->raw : listen) + "'";
    const auto part = [&](const std::string& text) { return hidden ? shown : "'" + text + "'"; };

    std::string host, port;
    Poco::Net::IPAddress address;
    bool isAddress = false;
    // Poco 1.11 cannot parse "::" (every IPv6 interface), though binding to it works.
    const auto parseAddress = [&](const std::string& text) {
        if (text == "::") address = Poco::Net::IPAddress::wildcard(Poco::Net::IPAddress::IPv6);
        return text == "::" || Poco::Net::IPAddress::tryParse(text, address);
    };
    if (!listen.empty() && listen.front() == '[') {
        const auto close = listen.find(']');
        if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
            return h.report("listen", shown + " is not [IPv6]:PORT (e.g. [::1]:9480)");
        host = listen.substr(0, close + 1);
        port = listen.substr(close + 2);
        isAddress = parseAddress(listen.substr(1, close - 1)) && address.family() == Poco::Net::IPAddress::IPv6;
        if (!isAddress) return h.report("listen", part(host) + " is not an IPv6 address (e.g. [::1]:9480)");
    } else {
        const auto colon = listen.rfind(':');
        if (colon == std::string::npos) return h.report("listen", shown + " is not HOST:PORT (e.g. 127.0.0.1:9480)");
        host = listen.substr(0, colon);
        port = listen.substr(colon + 1);
        if (host.find(':') != std::string::npos)
            return h.report("listen", shown + " is not HOST:PORT: put an IPv6 address in brackets (e.g. [::1]:9480)");
        // ":9480" is every interface, as Go and Prometheus read it.
        if (host.empty()) host = "0.0.0.0";
        isAddress = parseAddress(host);
        // RFC 1123 host names: letters, digits and hyphens in dot-separated labels.
        static const std::regex hostName(
            R"(^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$)");
        if (!isAddress && !std::regex_match(host, hostName)) return h.report("listen", part(host) + " is not an IP address or a host name");
    }
    const bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
    const long n = digits ? std::strtol(port.c_str(), nullptr, 10) : -1;
    if (n < 0 || n > 65535)
        return h.report("listen", (hidden ? shown + " does not end in a port" : part(port) + " is not a port") + " (0-65535)");
    p.http.host = host;
    p.http.port = static_cast<int>(n);

    // Beyond loopback, /status, /history and POST /notify are open to whoever reaches the port.
    const bool loopback = isAddress ? address.isLoopback() : host == "localhost";
    if (loopback || !p.http.token.empty() || p.http.allowUnauthenticated) return;
    const std::string reach = isAddress && address.isWildcard() ? " listens on every interface"
                              : isAddress                       ? " is not a loopback address"
                                                                : " names a host other than localhost";
    h.report("listen", shown + reach +
                           ", so other machines can reach the status server, and there is no token: set http.token "
                           "(clients then send \"Authorization: Bearer TOKEN\"), or allow_unauthenticated: true to serve it to anyone");
}

PluginBlock readPluginBlock(const ConfigNodePtr& root, const ConfigEntry& entry, const std::string& where, const Pipeline& p) {
    const ConfigNode& node = *entry.value;
    if (node.kind != ConfigNode::Kind::Map)
        throw ConfigError(node.kind == ConfigNode::Kind::Null ? entry.keyMark : node.mark,
                          where + ": expected a mapping with at least `plugin:`, found " + node.kindName());
    PluginBlock b{entry.key, {}, {}, {}, Options(share(root, &node), where, p.directory)};
    b.options.collectProblems();
    b.plugin = b.options.string("plugin");
    const ConfigNode* plugin = node.find("plugin");
    b.pluginMark = plugin != nullptr ? plugin->mark : node.mark;
    b.label = b.options.string("label", entry.key);
    return b;
}

/// Reads every check; returns how many are switched off with `enabled: false`.
std::size_t readChecks(Pipeline& p, const ConfigNodePtr& root, const ConfigNode& checks, std::chrono::milliseconds interval,
                       std::chrono::milliseconds timeout, std::vector<ConfigError>& errors) {
    std::size_t disabled = 0;
    for (const auto& entry : checks.entries) {
        collectConfigErrors(errors, [&] {
            PluginBlock base = readPluginBlock(root, entry, "checks." + entry.key, p);
            CheckBlock c;
            static_cast<PluginBlock&>(c) = base;
            const Options& o = c.options;
            c.interval = o.duration("interval", interval);
            c.timeout = o.duration("timeout", std::min(timeout, c.interval));
            if (c.interval.count() <= 0) o.report("interval", "must be more than 0");
            if (c.timeout.count() <= 0) o.report("timeout", "must be more than 0");
            c.failAfter = toInt(o.integer("fail_after", 1, 1, 1000));
            c.passAfter = toInt(o.integer("pass_after", 1, 1, 1000));
            c.isolate = o.choice("isolate", {"none", "process"}, "none") == "process" ? Isolation::Process : Isolation::None;
            c.isolateMemory = o.size("isolate_memory", c.isolateMemory);
            // Less leaves a run no room for a thread's stack (8 MiB) and its buffers.
            constexpr unsigned long long leastIsolateMemory = 16ULL << 20;
            if (o.has("isolate_memory") && c.isolate != Isolation::Process)
                o.report("isolate_memory", "applies only with isolate: process");
            else if (c.isolateMemory != 0 && c.isolateMemory < leastIsolateMemory)
                o.report("isolate_memory", "must be at least 16M, or 0 for no limit");
            c.node = entry.value;
            const bool enabled = o.boolean("enabled", true);
            append(errors, o.recordedProblems());
            if (!enabled)
                ++disabled;
            else if (!c.plugin.empty())
                p.checks.push_back(std::move(c));
        });
    }
    return disabled;
}

/// A pipeline that watches nothing is almost always a mistake (a block swallowed by a typo, every
/// check switched off): refused unless `watchdog.allow_no_checks: true` says it is meant.
void requireSomethingWatched(const Pipeline& p, const ConfigNode& root, std::size_t declared, std::size_t disabled,
                             std::vector<ConfigError>& errors) {
    if (!p.checks.empty() || p.allowNoChecks || (declared > 0 && disabled < declared)) return;
    const ConfigEntry* checks = root.findEntry("checks");
    const SourceMark mark = checks != nullptr ? checks->keyMark : SourceMark{p.file, 0, 0};
    errors.emplace_back(mark, std::string(declared == 0 ? "no check is configured" : "every check has enabled: false") +
                                  ": the watchdog would watch nothing (add a check under checks:, or set "
                                  "watchdog.allow_no_checks: true if that is meant)");
}

void readActions(Pipeline& p, const ConfigNodePtr& root, const ConfigNode& actions, std::vector<ConfigError>& errors) {
    for (const auto& entry : actions.entries) {
        collectConfigErrors(errors, [&] {
            PluginBlock base = readPluginBlock(root, entry, "actions." + entry.key, p);
            ActionBlock a;
            static_cast<PluginBlock&>(a) = base;
            a.dryRun = a.options.boolean("dry_run", false);
            append(errors, a.options.recordedProblems());
            if (!a.plugin.empty()) p.actions.push_back(std::move(a));
        });
    }
}

void readSinks(Pipeline& p, const ConfigNodePtr& root, const ConfigNode& sinks, std::vector<ConfigError>& errors) {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < sinks.items.size(); ++i) {
        collectConfigErrors(errors, [&] {
            const ConfigNode& node = *sinks.items[i];
            ConfigEntry entry{"", node.mark, sinks.items[i]};
            PluginBlock b = readPluginBlock(root, entry, "sinks[" + std::to_string(i) + "]", p);
            b.id = b.options.string("id", b.plugin);
            if (!ids.insert(b.id).second)
                b.options.report("id", "two sinks are called '" + b.id + "'; give one of them `id: another-name`");
            append(errors, b.options.recordedProblems());
            if (!b.plugin.empty()) p.sinks.push_back(std::move(b));
        });
    }
}

/// `flap: {changes: 5, within: 10m}`, a core option of every check, read after the others.
void readFlapDetection(Pipeline& p, std::vector<ConfigError>& errors) {
    for (auto& c : p.checks) {
        if (!c.options.has("flap")) continue;
        const Options flap = c.options.child("flap");
        const long long changes = flap.integer("changes", Options::LLONG_MIN_, Options::LLONG_MAX_);
        const auto within = flap.duration("within");
        if (changes < 2 || changes > 1000)
            flap.report("changes", "must be between 2 and 1000 (a check flaps when its state changes this often)");
        else if (within.count() <= 0)
            flap.report("within", "must be more than 0");
        else if (within < c.interval * (changes - 1))
            flap.report("within", formatDuration(within) + " is too short to see " + std::to_string(changes) +
                                      " state changes of a check run every " + formatDuration(c.interval) + " (at least " +
                                      formatDuration(c.interval * (changes - 1)) + "); it could never flap");
        else {
            c.flapChanges = toInt(changes);
            c.flapWithin = within;
        }
        append(errors, c.options.recordedProblems());
    }
}

}  // namespace

void collectConfigErrors(std::vector<ConfigError>& errors, const std::function<void()>& step) {
    try {
        step();
    } catch (const ConfigError& e) {
        errors.push_back(e);
    } catch (const ConfigErrors& many) {
        errors.insert(errors.end(), many.errors().begin(), many.errors().end());
    }
}

std::vector<ConfigError> inFileOrder(std::vector<ConfigError> problems) {
    std::vector<ConfigError> out;
    std::set<std::tuple<std::string, int, int>> places;
    for (auto& e : problems) {
        // The first problem met at a place stands for it: a bad value, then what a default did.
        const SourceMark& m = e.mark();
        if (m.line > 0 && !places.emplace(m.file, m.line, m.column).second) continue;
        out.push_back(std::move(e));
    }
    std::stable_sort(out.begin(), out.end(), [](const ConfigError& a, const ConfigError& b) {
        return a.mark().line < b.mark().line || (a.mark().line == b.mark().line && a.mark().column < b.mark().column);
    });
    return out;
}

ConfigErrors::ConfigErrors(std::vector<ConfigError> errors)
    : std::runtime_error(joinLines(inFileOrder(errors))), errors_(inFileOrder(std::move(errors))) {}

Pipeline readPipeline(const std::string& path) {
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
            collectConfigErrors(errors, [&] {
                try {
                    fileValues = readEnvFile(resolve(p.directory, env->raw));
                } catch (const ConfigError& e) {
                    if (e.mark().line > 0) throw;
                    throw ConfigError(env->mark, "watchdog.env_file: '" + env->raw + "' " + e.message());
                }
            });
    append(errors, substituteVariables(*root, environmentThen(std::move(fileValues))));

    Options top(root, "", p.directory);
    top.collectProblems();
    auto interval = std::chrono::milliseconds(60000);
    auto timeout = std::chrono::milliseconds(10000);
    readWatchdog(p, top.child("watchdog"), interval, timeout);
    if (top.has("log")) readLog(p, top.child("log"));
    if (top.has("http")) readHttp(p, top.child("http"));
    top.markKnown({"checks", "actions", "rules", "sinks", "log", "http", "ha"});
    if (const ConfigEntry* ha = root->findEntry("ha"); ha && ha->value) p.ha = Options(ha->value, "ha", p.directory);

    std::set<std::string> allCheckIds;
    std::size_t disabledChecks = 0;
    collectConfigErrors(errors, [&] {
        if (const ConfigNode* checks = section(*root, "checks", ConfigNode::Kind::Map, "a mapping of check id to its options")) {
            for (const auto& e : checks->entries) allCheckIds.insert(e.key);
            disabledChecks = readChecks(p, root, *checks, interval, timeout, errors);
            readFlapDetection(p, errors);
        }
        requireSomethingWatched(p, *root, allCheckIds.size(), disabledChecks, errors);
    });
    collectConfigErrors(errors, [&] {
        if (const ConfigNode* actions = section(*root, "actions", ConfigNode::Kind::Map, "a mapping of action id to its options"))
            readActions(p, root, *actions, errors);
    });
    collectConfigErrors(errors, [&] {
        if (const ConfigNode* sinks = section(*root, "sinks", ConfigNode::Kind::Sequence, "a list of sinks"))
            readSinks(p, root, *sinks, errors);
    });
    collectConfigErrors(errors, [&] {
        if (const ConfigNode* rules = section(*root, "rules", ConfigNode::Kind::Map, "a mapping of rule id to its trigger")) {
            p.defaultRules = false;
            readRules(p, root, *rules, allCheckIds, errors);
        }
    });
    append(errors, top.recordedProblems());
    append(errors, top.unknownKeys());
    p.problems = inFileOrder(std::move(errors));
    if (p.defaultRules) p.rules = defaultRules(p.checks);
    return p;
}

Pipeline loadPipeline(const std::string& path) {
    Pipeline p = readPipeline(path);
    if (!p.problems.empty()) throw ConfigErrors(p.problems);
    return p;
}

}  // namespace watchdog
