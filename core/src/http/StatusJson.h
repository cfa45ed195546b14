#pragma once

#include "engine/EngineStatus.h"
#include "http/OperatorJson.h"

#include <string>

namespace watchdog {

/// The body of GET /status: pipeline, version, uptime, each check (state, last result, value,
/// since, counters), each rule (state, deadline, acknowledged), each action and sink with its
/// counters, and the maintenance windows in force (their JSON is OperatorJson's).
std::string renderStatusJson(const StatusSnapshot& snapshot);

}  // namespace watchdog
