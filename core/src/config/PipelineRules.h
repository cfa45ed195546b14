#pragma once

// The `rules:` section of a pipeline file: conditions, triggers, the closed loop's limit, verify and
// failback, and the old script's rules when the section is absent (defaultRules, in Pipeline.h).

#include "config/ConfigNode.h"
#include "config/Pipeline.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace watchdog {

/// Runs `step`, keeping its ConfigError (or every one of its ConfigErrors) in `errors` instead of
/// stopping at the first.
void collectConfigErrors(std::vector<ConfigError>& errors, const std::function<void()>& step);

/// Reads the `rules:` mapping into p.rules (the checks and actions are read already); every problem
/// goes to `errors`, and a rule with one is left out.
void readRules(Pipeline& p, const ConfigNodePtr& root, const ConfigNode& rules, const std::set<std::string>& allCheckIds,
               std::vector<ConfigError>& errors);

}  // namespace watchdog
