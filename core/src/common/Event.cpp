#include <watchdog/Event.h>

namespace watchdog {

namespace {
const std::pair<EventType, const char*> kEventNames[] = {
    {EventType::Startup, "startup"},
    {EventType::Status, "status"},
    {EventType::Warning, "warning"},
    {EventType::Cancelled, "cancelled"},
    {EventType::Failover, "failover"},
    {EventType::Outcome, "outcome"},
    {EventType::Recovered, "recovered"},
    {EventType::CheckError, "check_error"},
    {EventType::Shutdown, "shutdown"},
    {EventType::Limited, "limited"},
    {EventType::Verified, "verified"},
    {EventType::NotVerified, "not_verified"},
    {EventType::Failback, "failback"},
    {EventType::FailbackCancelled, "failback_cancelled"},
    {EventType::Flapping, "flapping"},
    {EventType::Stable, "stable"},
    {EventType::MaintenanceStarted, "maintenance_started"},
    {EventType::MaintenanceEnded, "maintenance_ended"},
    {EventType::Acknowledged, "acknowledged"},
};
}  // namespace

const char* toString(EventType type) {
    for (const auto& [t, name] : kEventNames)
        if (t == type) return name;
    return "status";
}

std::optional<EventType> eventTypeFromString(const std::string& word) {
    for (const auto& [t, name] : kEventNames)
        if (word == name) return t;
    return std::nullopt;
}

bool isDryRun(const Event& event) {
    if (event.type != EventType::Outcome) return false;
    for (const auto& [key, value] : event.details)
        if (key == kDryRunDetail) return true;
    return false;
}

}  // namespace watchdog
