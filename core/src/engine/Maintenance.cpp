#include "engine/Maintenance.h"

#include <watchdog/Duration.h>

namespace watchdog {

const char* toString(MaintenanceScope scope) {
    switch (scope) {
        case MaintenanceScope::Pipeline:
            return "pipeline";
        case MaintenanceScope::Check:
            return "check";
        case MaintenanceScope::Rule:
            return "rule";
    }
    return "pipeline";
}

std::optional<MaintenanceScope> maintenanceScopeFromString(const std::string& word) {
    for (auto s : {MaintenanceScope::Pipeline, MaintenanceScope::Check, MaintenanceScope::Rule})
        if (word == toString(s)) return s;
    return std::nullopt;
}

std::chrono::milliseconds parseMaintenanceLength(const std::string& text) {
    const std::string range = "a maintenance lasts from 1s up to " + formatDuration(maxMaintenance) + " (e.g. 30m, 1h, 2d)";
    if (!text.empty() && text.front() == '-') throw std::invalid_argument("'" + text + "' is negative: " + range);
    if (isOverlongDuration(text)) throw std::invalid_argument("'" + text + "' is too long: " + range);
    const auto length = parseDuration(text);
    if (!length) throw std::invalid_argument("'" + text + "' is not a duration: " + range);
    if (*length < std::chrono::seconds(1)) throw std::invalid_argument("'" + text + "' is too short: " + range);
    if (*length > maxMaintenance) throw std::invalid_argument("'" + text + "' is too long: " + range);
    return *length;
}

std::string MaintenanceWindow::describe() const {
    if (scope == MaintenanceScope::Pipeline) return "the pipeline";
    return std::string(toString(scope)) + " " + id;
}

}  // namespace watchdog
