#include "PipelineLoading.h"

#include <ostream>

namespace watchdog {

std::vector<std::string> pluginSearchPath(const CommandLine& cmd, const std::vector<std::string>& fromPipeline) {
    std::vector<std::string> path = cmd.pluginPath;
    path.insert(path.end(), fromPipeline.begin(), fromPipeline.end());
    return path;
}

std::optional<LoadedPipeline> loadAndAssemble(const CommandLine& cmd, AssemblyScope scope, std::ostream& err) {
    if (cmd.args.empty()) {
        err << "missing the pipeline file (e.g. /etc/encoder-watchdog/pipeline.yaml)\n";
        return std::nullopt;
    }
    try {
        LoadedPipeline l;
        l.pipeline = readPipeline(cmd.args.front());
        l.loader = std::make_unique<PluginLoader>(pluginSearchPath(cmd, l.pipeline.pluginPath));
        std::vector<ConfigError> haProblems;
        if (l.pipeline.ha) try {
                l.ha = readHaSettings(*l.pipeline.ha);
            } catch (const ConfigErrors& e) {
                haProblems = e.errors();
            }
        try {
            l.assembly = assemble(l.pipeline, *l.loader, scope);
        } catch (const ConfigErrors& e) {
            std::vector<ConfigError> all = e.errors();
            all.insert(all.end(), haProblems.begin(), haProblems.end());
            throw ConfigErrors(inFileOrder(std::move(all)));
        }
        if (!haProblems.empty()) throw ConfigErrors(haProblems);
        return l;
    } catch (const ConfigErrors& e) {
        for (const auto& one : e.errors()) err << one.what() << '\n';
    } catch (const ConfigError& e) {
        err << e.what() << '\n';
    } catch (const std::exception& e) {
        err << cmd.args.front() << ": " << e.what() << '\n';
    }
    return std::nullopt;
}

HistoryReaderFactory historyReaderFactory(const LoadedPipeline& loaded) {
    for (const auto& s : loaded.assembly.sinks) {
        if (!s.sink || !s.sink->readable()) continue;
        PluginLoader* loader = loaded.loader.get();
        PluginBlock block = s.block;
        return [loader, block]() -> std::unique_ptr<Sink> {
            auto reader = loader->createSink(block.plugin);
            reader->configure(block.options);
            return reader;
        };
    }
    return [] { return std::unique_ptr<Sink>(); };
}

}  // namespace watchdog
