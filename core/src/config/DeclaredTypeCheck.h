#pragma once

#include <watchdog/ConfigError.h>
#include <watchdog/OptionTable.h>

#include <vector>

namespace watchdog {

/// Each declared option present in `block` read as its declared type says (duration, integer and
/// number within a declared "a..b" range, size, boolean, list, string, path, secret), and each
/// required one that is absent: the problems
/// the plugin's configure would have met had it got that far. Reads a fresh copy of the block, so the
/// block's own known keys and recorded problems are untouched.
std::vector<ConfigError> checkDeclaredTypes(const Options& block, const OptionTable& table);

}  // namespace watchdog
