#pragma once

#include "engine/ActionRunner.h"
#include "engine/Coordination.h"
#include "engine/RuleEngine.h"

#include <memory>
#include <set>
#include <string>

namespace watchdog {

/// What the engine does differently with `ha:`. A Warning joins the incident the nodes share (the
/// rule adopts its id and deadline when another node opened it first); a node that may not act
/// sends nothing to notifiers; the acting node marks the shared incident closed when it ends.
RoutedEvent coordinate(const RoutedEvent& routed, Coordination& coordination, RuleEngine& rules, const std::set<std::string>& notifiers);

/// The gate of a remedy: before it runs for a Failover or Failback, the run is claimed under the
/// lease's fencing token. Already run (by any node): its outcome says so and nothing runs. Not the
/// leader, or the database down with when_db_down: wait: it waits (polling) until it may, or the
/// daemon stops. Database down with when_db_down: act: it runs.
RunGate remedyGate(std::shared_ptr<Coordination> coordination, std::string action);

/// True for the outcome remedyGate() reports instead of running a remedy another node already ran.
bool isAlreadyRun(const Outcome& outcome);

}  // namespace watchdog
