#pragma once

#include <watchdog/Check.h>
#include <watchdog/Clock.h>
#include <watchdog/Result.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace watchdog {

/// A check as the scheduler runs it.
struct ScheduledCheck {
    std::string id;
    std::string label;
    std::shared_ptr<Check> check;
    std::chrono::milliseconds interval{60000};
    std::chrono::milliseconds timeout{10000};
};

/// Receives every result: the check id, what it saw, when it finished and how long it ran.
using ResultCallback = std::function<void(const std::string& id, const Result& result, TimePoint finished, std::chrono::milliseconds took)>;

/// Runs each check on its own interval on a thread pool. A run that passes its timeout becomes an
/// `error` result "timed out after 10s" at once; the check is not started again until the hung run
/// returns (its late result is dropped). The pool starts with one worker and adds one, up to one per
/// check, whenever a due check has waited 20 ms for a free worker, so a hung check never holds up
/// another for longer. An exception from run() becomes an `error` result with its text.
class Scheduler {
public:
    Scheduler(std::vector<ScheduledCheck> checks, ResultCallback onResult);
    ~Scheduler();

    /// Starts the dispatcher; every check runs once right away, then on its interval.
    void start();
    /// Stops starting runs; waits up to `grace` for running ones, then leaves hung ones behind.
    void stop(std::chrono::milliseconds grace);

private:
    struct Shared;
    std::shared_ptr<Shared> shared_;
};

/// Runs one check once, turning exceptions into error results and bounding what it returns
/// (boundResult); used by the `check` verb too.
Result runCheckSafely(Check& check, const CheckContext& context);

}  // namespace watchdog
