#include "engine/Assembly.h"

#include <Poco/Path.h>

namespace watchdog {

namespace {

template <class Make>
void load(std::vector<ConfigError>& errors, const PluginBlock& block, Make make) {
    try {
        make();
        block.options.rejectUnknownKeys();
    } catch (const ConfigError& e) {
        errors.push_back(e);
    } catch (const PluginError& e) {
        errors.emplace_back(block.pluginMark, block.options.where() + ".plugin: " + e.what());
    } catch (const std::exception& e) {
        errors.emplace_back(block.pluginMark, block.options.where() + ": the plugin rejected its options: " + e.what());
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
    std::vector<ConfigError> errors;
    for (const auto& block : pipeline.checks) {
        load(errors, block, [&] {
            std::shared_ptr<Check> check = loader.createCheck(block.plugin);
            check->configure(block.options);
            a.checks.push_back({block, std::move(check)});
        });
    }
    for (const auto& block : pipeline.actions) {
        load(errors, block, [&] {
            std::shared_ptr<Action> action = loader.createAction(block.plugin);
            action->configure(block.options);
            a.actions.push_back({block, action, action->role()});
        });
    }
    if (scope == AssemblyScope::Everything) {
        std::vector<PluginBlock> sinks = pipeline.sinks;
        if (sinks.empty()) sinks.push_back(defaultSinkBlock(pipeline));
        for (const auto& block : sinks) {
            load(errors, block, [&] {
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
        a.rules.push_back(std::move(rule));
    }
    return a;
}

}  // namespace watchdog
