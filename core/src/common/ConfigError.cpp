#include <watchdog/ConfigError.h>

namespace watchdog {

std::string SourceMark::toString() const {
    if (line <= 0) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ConfigError::ConfigError(SourceMark mark, const std::string& message)
    : std::runtime_error(mark.toString() + ": " + message), mark_(std::move(mark)), message_(message) {}

}  // namespace watchdog
