#pragma once

// What loading a pipeline file reports, as lines a test compares. Header-only (it needs the core's
// internal headers: link watchdog_core_internal).

#include "TestSupport.h"
#include "config/Pipeline.h"

#include <string>
#include <vector>

namespace watchdog::test {

/// Each problem loading the pipeline at `path` reports, one line each; none when it loads.
inline std::vector<std::string> pipelineErrors(const std::string& path) {
    try {
        loadPipeline(path);
    } catch (const ConfigErrors& e) {
        std::vector<std::string> out;
        for (const auto& one : e.errors()) out.push_back(one.what());
        return out;
    } catch (const ConfigError& e) {
        return {e.what()};
    }
    return {};
}

/// `text` written as pipeline.yaml in a folder of its own.
struct PipelineFile {
    explicit PipelineFile(const std::string& text) : path(dir.write("pipeline.yaml", text)) {}
    /// The problems loading it reports (pipelineErrors).
    std::vector<std::string> errors() const { return pipelineErrors(path); }

    TempDir dir;
    const std::string path;
};

}  // namespace watchdog::test
