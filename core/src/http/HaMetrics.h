#pragma once

#include "engine/Coordination.h"

#include <string>

namespace watchdog {

/// The HA families of /metrics: watchdog_ha_leader (1 on the node holding the lease; labels node and
/// leader), watchdog_ha_may_act, watchdog_ha_lease_token, watchdog_ha_lease_age_seconds,
/// watchdog_ha_database_up.
std::string haMetricsText(const HaStatus& ha);

}  // namespace watchdog
