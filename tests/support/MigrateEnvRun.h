#pragma once

// One run of migrate-env on a .env file, its output kept for the test. Header-only (it needs the
// core's internal headers: link watchdog_core_internal).

#include "TestSupport.h"
#include "migrate/MigrateEnv.h"

#include <sstream>
#include <string>

namespace watchdog::test {

/// What one migrate-env run gave.
struct Migrated {
    int code = 0;        ///< its exit code
    std::string yaml;    ///< what it wrote to stdout: the pipeline
    std::string errors;  ///< what it wrote to stderr
};

/// Runs migrate-env on the .env file at `path`, finding the AWS region with `findRegion`.
inline Migrated migrateEnvFile(const std::string& path, const RegionFinder& findRegion = regionFromVariables) {
    std::ostringstream out, err;
    Migrated m;
    m.code = migrateEnv(path, out, err, findRegion);
    m.yaml = out.str();
    m.errors = err.str();
    return m;
}

/// Writes `env` as .env in `dir` and runs migrate-env on it.
inline Migrated migrateEnvText(const TempDir& dir, const std::string& env, const RegionFinder& findRegion = regionFromVariables) {
    return migrateEnvFile(dir.write(".env", env), findRegion);
}

}  // namespace watchdog::test
