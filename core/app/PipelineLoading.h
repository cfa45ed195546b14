#pragma once

#include "Commands.h"
#include "config/Pipeline.h"
#include "engine/Assembly.h"
#include "engine/Engine.h"
#include "HaSettings.h"
#include "plugins/PluginLoader.h"

#include <iosfwd>
#include <memory>
#include <optional>

namespace watchdog {

/// A pipeline file read, with its plugins loaded and configured.
struct LoadedPipeline {
    Pipeline pipeline;
    std::unique_ptr<PluginLoader> loader;  ///< must outlive the assembly's plugin objects
    Assembly assembly;
    std::optional<HaSettings> ha;  ///< the `ha:` block, read and checked
};

/// Reads the file named by cmd.args[0] and assembles it. Prints every problem as one
/// FILE:LINE:COL line on `err` and returns nullopt if there is any.
std::optional<LoadedPipeline> loadAndAssemble(const CommandLine& cmd, AssemblyScope scope, std::ostream& err);

/// The plugin search path: --plugin-path first, then the pipeline's plugin_path, then the defaults.
std::vector<std::string> pluginSearchPath(const CommandLine& cmd, const std::vector<std::string>& fromPipeline);

/// Makes fresh, configured instances of the first readable sink of the pipeline (nullptr if none).
/// Call it before the assembly's sinks are handed to an engine.
HistoryReaderFactory historyReaderFactory(const LoadedPipeline& loaded);

}  // namespace watchdog
