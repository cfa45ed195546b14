#pragma once

// One fact of a check's Result or an action's Outcome, by its key.

#include <watchdog/Result.h>

#include <string>

namespace watchdog::test {

/// The value shown for `key` in `details` (Result::details, Outcome::details), or "<none>".
inline std::string detailOf(const Details& details, const std::string& key) {
    for (const auto& [k, v] : details)
        if (k == key) return v;
    return "<none>";
}

}  // namespace watchdog::test
