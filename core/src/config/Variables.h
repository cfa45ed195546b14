#pragma once

#include "config/ConfigNode.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace watchdog {

/// Looks a variable up by name; nullopt when unset.
using VariableLookup = std::function<std::optional<std::string>(const std::string&)>;

/// Replaces ${VAR} and ${VAR:-default} in every scalar of the tree (keys are left alone); `$$` is a
/// literal `$`. Substituted scalars are marked fromEnvironment. An unset variable without a default
/// is a problem at the scalar's position naming the variable (never its value), and the scalar is
/// marked unresolved. Returns every problem, in file order.
std::vector<ConfigError> substituteVariables(ConfigNode& root, const VariableLookup& lookup);

/// Reads a .env file (KEY=VALUE lines, `export ` prefix, values as parseEnvValue reads them, # comment
/// lines, a leading UTF-8 byte order mark ignored).
/// A missing file or a malformed line is a ConfigError naming the file and line.
std::map<std::string, std::string> readEnvFile(const std::string& path);

/// Looks in the process environment first, then in `fileValues`.
VariableLookup environmentThen(std::map<std::string, std::string> fileValues);

}  // namespace watchdog
