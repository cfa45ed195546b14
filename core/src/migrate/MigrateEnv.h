#pragma once

#include "config/Variables.h"

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace watchdog {

/// The AWS region migrate-env found for the backup action, or where it looked.
struct RegionFinding {
    std::optional<std::string> region;  ///< e.g. "eu-west-2"
    std::string source;                 ///< "AWS_REGION", "/root/.aws/config [default]", "instance metadata (URL)"
    std::vector<std::string> lookedIn;  ///< "AWS_REGION: not set", ... (every place when none had it)
};

/// Finds the region the AWS CLI would use, reading AWS_* variables and HOME through `lookup`.
/// The application passes the full chain (plugins/common); the core alone only reads the variables.
using RegionFinder = std::function<RegionFinding(const VariableLookup& lookup)>;

/// Reads AWS_REGION, then AWS_DEFAULT_REGION through `lookup`: the finder used when none is given.
RegionFinding regionFromVariables(const VariableLookup& lookup);

/// Turns the old Python script's .env into an equivalent pipeline file (the `migrate-env` verb).
/// Writes the pipeline YAML to `out`: secrets stay ${VAR} references read through an env_file:
/// pointing at the .env, the .env's comments come along, settings the .env leaves out get the
/// script's defaults, and the script's switches (ENABLE_DISCORD_UPDATES, ENABLE_DB_LOGGING) keep
/// their meaning. Lists on `err` every key, value or line it could not map, and where it looked for
/// the AWS region when it found none.
/// Returns 0 if everything mapped, 1 if something could not be or the file is not a .env (one line
/// on `err`, nothing on `out`), 2 if the file cannot be read.
int migrateEnv(const std::string& envPath, std::ostream& out, std::ostream& err, const RegionFinder& findRegion = regionFromVariables);

}  // namespace watchdog
