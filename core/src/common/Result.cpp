#include "watchdog/Action.h"
#include "watchdog/CheckState.h"
#include "watchdog/Event.h"
#include "watchdog/Result.h"
#include "watchdog/Sink.h"

#include <Poco/Exception.h>

namespace watchdog {

const char* toString(Status status) {
    switch (status) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Error: return "error";
    }
    return "error";
}

const char* toString(Health health) {
    switch (health) {
    case Health::Unknown: return "unknown";
    case Health::Passing: return "passing";
    case Health::Failing: return "failing";
    }
    return "unknown";
}

Result Result::pass(std::string summary) { return Result{Status::Pass, std::move(summary), std::nullopt, {}, {}}; }
Result Result::fail(std::string summary) { return Result{Status::Fail, std::move(summary), std::nullopt, {}, {}}; }
Result Result::error(std::string summary) { return Result{Status::Error, std::move(summary), std::nullopt, {}, {}}; }

Result& Result::withValue(double v, std::string u) {
    value = v;
    unit = std::move(u);
    return *this;
}

Result& Result::detail(std::string key, std::string v) {
    details.emplace_back(std::move(key), std::move(v));
    return *this;
}

Outcome Outcome::success(std::string summary, Details details) { return Outcome{true, std::move(summary), std::move(details)}; }
Outcome Outcome::failure(std::string summary, Details details) { return Outcome{false, std::move(summary), std::move(details)}; }

namespace {
const std::pair<EventType, const char*> kEventNames[] = {
    {EventType::Startup, "startup"},     {EventType::Status, "status"},       {EventType::Warning, "warning"},
    {EventType::Cancelled, "cancelled"}, {EventType::Failover, "failover"},   {EventType::Outcome, "outcome"},
    {EventType::Recovered, "recovered"}, {EventType::CheckError, "check_error"}, {EventType::Shutdown, "shutdown"},
    {EventType::Limited, "limited"},     {EventType::Verified, "verified"},   {EventType::NotVerified, "not_verified"},
    {EventType::Failback, "failback"},   {EventType::FailbackCancelled, "failback_cancelled"},
    {EventType::Flapping, "flapping"},   {EventType::Stable, "stable"},
    {EventType::MaintenanceStarted, "maintenance_started"}, {EventType::MaintenanceEnded, "maintenance_ended"},
    {EventType::Acknowledged, "acknowledged"},
};
}

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

std::vector<Record> Sink::readHistory(const HistoryQuery&) {
    throw Poco::NotImplementedException("this sink cannot read history");
}

}  // namespace watchdog
