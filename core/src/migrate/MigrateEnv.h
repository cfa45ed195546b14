#pragma once

#include <iosfwd>
#include <string>

namespace watchdog {

/// Turns the old Python script's .env into an equivalent pipeline file (the `migrate-env` verb).
/// Writes the pipeline YAML to `out`: secrets stay ${VAR} references read through an env_file:
/// pointing at the .env, the .env's comments come along, and settings the .env leaves out get the
/// script's defaults. Lists on `err` every key, value or line it could not map.
/// Returns 0 if everything mapped, 1 if something could not be, 2 if the file cannot be read.
int migrateEnv(const std::string& envPath, std::ostream& out, std::ostream& err);

}  // namespace watchdog
