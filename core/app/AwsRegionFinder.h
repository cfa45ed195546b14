#pragma once

#include "migrate/MigrateEnv.h"

namespace watchdog {

/// migrate-env's region lookup: the AWS CLI's chain from plugins/common (variables, the profile in
/// the shared files, the instance metadata service), reading variables through migrate-env's lookup.
RegionFinder awsRegionFinder();

}  // namespace watchdog
