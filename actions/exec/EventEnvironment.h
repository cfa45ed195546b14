#pragma once

#include <watchdog/Action.h>

#include <string>
#include <utility>
#include <vector>

namespace watchdog::exec {

/// The event as environment variables for a script: WATCHDOG_EVENT ("failover"), WATCHDOG_SUMMARY,
/// WATCHDOG_FAILING (comma-separated check ids), WATCHDOG_FAILING_LABELS, WATCHDOG_INCIDENT,
/// WATCHDOG_RULE, WATCHDOG_PIPELINE, WATCHDOG_TIME (ISO 8601 UTC), WATCHDOG_TIME_MS, WATCHDOG_DEADLINE,
/// WATCHDOG_DURATION_MS, WATCHDOG_CHECK, WATCHDOG_ACTION, WATCHDOG_OK, WATCHDOG_ACTION_ID,
/// WATCHDOG_DRY_RUN, and WATCHDOG_DETAIL_<KEY> per detail. Variables without a value are set empty.
std::vector<std::pair<std::string, std::string>> eventEnvironment(const Event& event, const ActionContext& context);

/// The whole event, checks included, as one JSON object (what the script reads on stdin).
std::string eventJson(const Event& event);

}  // namespace watchdog::exec
