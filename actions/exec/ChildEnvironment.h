#pragma once

#include <string>
#include <utility>
#include <vector>

namespace watchdog::exec {

/// The daemon's variables every child gets (when set): locale, time zone, search path, home. Nothing
/// else of the daemon's environment (its secrets among it) reaches a child unless named.
inline const std::vector<std::string> kBaseEnvironment = {"PATH",     "HOME",        "LANG", "LANGUAGE", "LC_ALL",
                                                          "LC_CTYPE", "LC_MESSAGES", "TZ",   "TMPDIR"};

/// The child's whole environment, "NAME=value" each: the daemon's kBaseEnvironment and `passEnv`
/// variables that are set, then `addEnv` over them; a name keeps the place it first had.
std::vector<std::string> childEnvironment(const std::vector<std::string>& passEnv,
                                          const std::vector<std::pair<std::string, std::string>>& addEnv);

}  // namespace watchdog::exec
