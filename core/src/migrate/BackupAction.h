#pragma once

#include "migrate/MigrateEnv.h"
#include "migrate/Migration.h"

namespace watchdog {

/// The aws_start action for AWS_BACKUP_INSTANCE_ID (nothing when it is missing). The script ran the
/// AWS CLI with the .env in its environment, so the .env's AWS_* settings count first: keys,
/// AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE become options, and the region is
/// what `findRegion` finds (written with where it came from), or where it looked is reported.
Section backupAction(Migration& m, const RegionFinder& findRegion);

}  // namespace watchdog
