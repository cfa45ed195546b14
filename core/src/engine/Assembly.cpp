#include "engine/Assembly.h"

#include "config/DeclaredTypeCheck.h"
#include "isolation/IsolatedCheck.h"

#include <Poco/Path.h>

#include <optional>

namespace watchdog {

namespace {

void append(std::vector<ConfigError>& to, const std::vector<ConfigError>& more) { to.insert(to.end(), more.begin(), more.end()); }

/// The problems a configure that stopped never reached. With the plugin's declared option table:
/// each declared option read by its type, and every key the table does not declare. Without one: the
/// keys no getter asked for, placed before `stop` (none without a stop).
void appendUnreached(std::vector<ConfigError>& errors, const PluginLoader& loader, const PluginBlock& block, const SourceMark* stop) {
    const Options& options = block.options;
    std::optional<OptionTable> table;
    try {
        table = loader.declaredOptions(block.plugin);
    } catch (const std::exception&) {
        // The plugin loaded a moment ago; without its table the keys before the stop are all we know.
    }
    if (!table) {
        if (stop != nullptr) append(errors, options.unknownKeys(stop));
        return;
    }
    append(errors, checkDeclaredTypes(options, *table));
    for (const auto& d : *table) options.markKnown({d.name});
    append(errors, options.unknownKeys());
}

/// Builds and configures one plugin, adding every problem with its options to `errors`: those its
/// getters recorded, the one that stopped configure, and what configure never reached after it.
template <class Make>
void load(std::vector<ConfigError>& errors, const PluginLoader& loader, const PluginBlock& block, Make make) {
    if (block.plugin.empty()) return;  // reported with the block
    const Options& options = block.options;
    try {
        make();
        append(errors, options.recordedProblems());
        append(errors, options.unknownKeys());
    } catch (const ConfigError& e) {
        append(errors, options.recordedProblems());
        errors.push_back(e);
        appendUnreached(errors, loader, block, &e.mark());
    } catch (const PluginError& e) {
        errors.emplace_back(block.pluginMark, options.where() + ".plugin: " + e.what());
    } catch (const std::exception& e) {
        // After a recorded problem, a plugin may trip over the fallback it was given: that says nothing new.
        const std::vector<ConfigError> recorded = options.recordedProblems();
        append(errors, recorded);
        if (recorded.empty())
            errors.emplace_back(block.pluginMark,
                                options.where() + ": the plugin rejected its options: " + options.withoutSecrets(e.what()));
        else
            appendUnreached(errors, loader, block, nullptr);
    } catch (...) {
        errors.emplace_back(block.pluginMark, options.where() + ": " + loader.describe(block.plugin) +
                                                  ": threw a non-standard exception while reading its options");
    }
}

std::vector<std::string> resolveList(const ActionList& list, const std::vector<LoadedAction>& actions) {
    std::vector<std::string> ids = list.ids;
    for (const auto& a : actions) {
        const bool wanted = (list.allNotifiers && a.role == ActionRole::Notifier) || (list.allRemedies && a.role == ActionRole::Remedy);
        if (wanted) ids.push_back(a.block.id);
    }
    return ids;
}

ConfigNodePtr scalar(const std::string& value, const SourceMark& mark) {
    auto n = std::make_shared<ConfigNode>();
    n->kind = ConfigNode::Kind::Scalar;
    n->raw = n->value = value;
    n->mark = mark;
    return n;
}

/// The check run by a check process of its own (`isolate: process`).
std::shared_ptr<Check> isolated(const CheckBlock& block, const Pipeline& pipeline, const PluginLoader& loader) {
    RunnerSetup setup;
    setup.library = loader.find(block.plugin);
    setup.plugin = block.plugin;
    setup.where = block.options.where();
    setup.baseDirectory = pipeline.directory;
    setup.block = block.node;
    setup.memoryLimit = block.isolateMemory;
    return std::make_shared<IsolatedCheck>(std::move(setup));
}

}  // namespace

PluginBlock defaultSinkBlock(const Pipeline& pipeline) {
    SourceMark mark{pipeline.file, 0, 0};
    auto map = std::make_shared<ConfigNode>();
    map->kind = ConfigNode::Kind::Map;
    map->mark = mark;
    const std::string history = Poco::Path(pipeline.stateFile).parent().toString() + "history.db";
    map->entries.push_back(ConfigEntry{"plugin", mark, scalar("sqlite", mark)});
    map->entries.push_back(ConfigEntry{"path", mark, scalar(history, mark)});
    PluginBlock b{"sqlite", "sqlite", mark, "sqlite", Options(map, "sinks (default)", pipeline.directory)};
    b.options.markKnown({"plugin"});
    return b;
}

Assembly assemble(const Pipeline& pipeline, PluginLoader& loader, AssemblyScope scope) {
    Assembly a;
    std::vector<ConfigError> errors = pipeline.problems;
    for (const auto& block : pipeline.checks) {
        load(errors, loader, block, [&] {
            std::shared_ptr<Check> check = loader.createCheck(block.plugin);
            check->configure(block.options);
            // Configured here all the same, so that validate reports its options; a check process runs it.
            if (block.isolate == Isolation::Process) check = isolated(block, pipeline, loader);
            a.checks.push_back({block, std::move(check)});
        });
    }
    for (const auto& block : pipeline.actions) {
        load(errors, loader, block, [&] {
            std::shared_ptr<Action> action = loader.createAction(block.plugin);
            action->configure(block.options);
            a.actions.push_back({block, action, action->role()});
        });
    }
    if (scope == AssemblyScope::Everything) {
        std::vector<PluginBlock> sinks = pipeline.sinks;
        if (sinks.empty()) sinks.push_back(defaultSinkBlock(pipeline));
        for (const auto& block : sinks) {
            load(errors, loader, block, [&] {
                std::unique_ptr<Sink> sink = loader.createSink(block.plugin);
                sink->configure(block.options);
                a.sinks.push_back({block, std::move(sink)});
            });
        }
    }
    if (!errors.empty()) throw ConfigErrors(errors);
    for (RuleSpec rule : pipeline.rules) {
        rule.warn.ids = resolveList(rule.warn, a.actions);
        rule.then.ids = resolveList(rule.then, a.actions);
        rule.recover.ids = resolveList(rule.recover, a.actions);
        rule.failbackThen.ids = resolveList(rule.failbackThen, a.actions);
        a.rules.push_back(std::move(rule));
    }
    return a;
}

}  // namespace watchdog
