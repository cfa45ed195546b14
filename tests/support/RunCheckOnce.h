#pragma once

// One run of a check plugin outside the scheduler, as the daemon would start it.

#include <watchdog/Check.h>

#include <chrono>
#include <string>

namespace watchdog::test {

/// Runs `check` once as pipeline key `id` with display name `label`, a 1 s interval and `timeout`.
inline Result runCheckOnce(Check& check, const std::string& id, const std::string& label,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return check.run(CheckContext{id, label, std::chrono::seconds(1), timeout, nullptr});
}

}  // namespace watchdog::test
