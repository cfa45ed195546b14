// The pipeline loader on arbitrary text: YAML parsing, ${VAR} substitution, every section's reading.
// Any input ends in a pipeline or in ConfigErrors; nothing else may escape, nothing may crash.
#include "config/Pipeline.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/dev/shm/watchdog-fuzz-pipeline-" + std::to_string(::getpid()) + ".yaml";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        watchdog::Pipeline p = watchdog::readPipeline(path);
        for (const auto& c : p.checks) (void)c.options.recordedProblems();
    } catch (const watchdog::ConfigErrors&) {
    } catch (const watchdog::ConfigError&) {
    }
    return 0;
}
