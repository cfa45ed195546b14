#pragma once

#include "engine/EngineStatus.h"

#include <string>

namespace watchdog {

/// The body of GET /status: pipeline, version, uptime, each check (state, last result, value,
/// since, counters), each rule (state, deadline), each action and sink with its counters.
std::string renderStatusJson(const StatusSnapshot& snapshot);

}  // namespace watchdog
