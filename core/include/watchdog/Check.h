#pragma once

#include <watchdog/Abi.h>

#include <watchdog/Options.h>
#include <watchdog/Result.h>

#include <atomic>
#include <chrono>
#include <string>

namespace watchdog {

/// What a check run is told by the scheduler.
struct CheckContext {
    std::string id;                                ///< the check's key in the pipeline
    std::string label;                             ///< its display name
    std::chrono::milliseconds interval;            ///< how often it runs
    std::chrono::milliseconds timeout;             ///< when the scheduler gives up on this run
    const std::atomic<bool>* cancelled = nullptr;  ///< set once the run has timed out or the daemon stops

    /// True once the scheduler no longer wants this run's result.
    bool isCancelled() const { return cancelled != nullptr && cancelled->load(); }
};

/// A check plugin: observes one thing about the encoder.
///
/// configure() is called once, before any run. run() may be called from different threads, but never
/// twice at the same time for one instance. It should not throw: an exception becomes an `error`
/// result with the exception's text, which is fine for unexpected failures.
class WATCHDOG_API Check {
public:
    virtual ~Check() = default;
    /// Reads and validates the plugin's own options (throw ConfigError via options.fail()).
    virtual void configure(const Options& options) = 0;
    /// Observes once and says what it saw.
    virtual Result run(const CheckContext& context) = 0;
};

}  // namespace watchdog
