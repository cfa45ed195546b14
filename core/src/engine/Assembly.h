#pragma once

#include "config/Pipeline.h"
#include "plugins/PluginLoader.h"

#include <memory>
#include <vector>

namespace watchdog {

/// A configured check plugin.
struct LoadedCheck {
    CheckBlock block;
    std::shared_ptr<Check> check;
};

/// A configured action plugin.
struct LoadedAction {
    ActionBlock block;
    std::shared_ptr<Action> action;
    ActionRole role = ActionRole::Notifier;
};

/// A configured sink plugin.
struct LoadedSink {
    PluginBlock block;
    std::unique_ptr<Sink> sink;
};

/// Every plugin of a pipeline loaded and configured, with rule action lists resolved to ids.
struct Assembly {
    std::vector<LoadedCheck> checks;
    std::vector<LoadedAction> actions;
    std::vector<LoadedSink> sinks;
    std::vector<RuleSpec> rules;
};

/// Which plugins to build: `check` and `validate` skip the sinks.
enum class AssemblyScope { Everything, ChecksAndActions };

/// Loads and configures every plugin of the pipeline. The pipeline's own problems, unknown plugins,
/// failed loads, rejected options and unknown keys are collected and thrown together as ConfigErrors,
/// one FILE:LINE:COL line each, in file order.
/// Without sinks: the sqlite sink writing history.db beside the state file.
Assembly assemble(const Pipeline& pipeline, PluginLoader& loader, AssemblyScope scope = AssemblyScope::Everything);

/// The block of the default sink (sqlite, history.db beside the state file).
PluginBlock defaultSinkBlock(const Pipeline& pipeline);

}  // namespace watchdog
