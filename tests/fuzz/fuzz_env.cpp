// Both .env readers on arbitrary bytes: migrate-env's (the old script's file) and env_file's. Each
// gives values or a clear error; nothing crashes, nothing is executed.
#include "config/Variables.h"
#include "migrate/EnvFile.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const watchdog::EnvFile parsed = watchdog::parseEnvText(text);
        (void)watchdog::notAnEnvFile(text, parsed);
    } catch (const std::exception&) {
    }
    static const std::string path = "/dev/shm/watchdog-fuzz-env-" + std::to_string(::getpid());
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
        try {
            (void)watchdog::readEnvFile(path);
        } catch (const watchdog::ConfigError&) {
        }
    }
    return 0;
}
