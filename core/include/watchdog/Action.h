#pragma once

#include <watchdog/Abi.h>

#include <watchdog/Event.h>
#include <watchdog/Options.h>
#include <watchdog/Result.h>

#include <atomic>
#include <string>

namespace watchdog {

/// Notifiers tell people; remedies change the world. The default rules warn every notifier and run
/// every remedy once per incident. A heartbeat is in no rule's lists by default: the core gives it the
/// Startup event and, after every completed check cycle, a Status event with an empty rule and the
/// detail "open_incidents" (the number of rules with an open incident).
enum class ActionRole { Notifier, Remedy, Heartbeat };

/// What an action reports back; a remedy's outcome becomes an Outcome event.
struct WATCHDOG_API Outcome {
    bool ok = true;
    std::string summary;  ///< one line ("started i-0abc, running at 203.0.113.7")
    Details details;      ///< instance_id, state, public_ip, ...

    /// A successful outcome.
    static Outcome success(std::string summary, Details details = {});
    /// A failed outcome.
    static Outcome failure(std::string summary, Details details = {});
};

/// What an action run is told by the core.
struct ActionContext {
    std::string id;                               ///< the action's key in the pipeline
    std::string label;                            ///< its display name
    bool dryRun = false;                          ///< core option dry_run: describe the call instead of making it
    const std::atomic<bool>* stopping = nullptr;  ///< set when the daemon is shutting down

    /// True once the daemon is stopping: give up retries and return.
    bool isStopping() const { return stopping != nullptr && stopping->load(); }
};

/// An action plugin. execute() runs on the action's own thread, one event at a time, in order; it may
/// block (retries, polling) but should honour context.isStopping().
class WATCHDOG_API Action {
public:
    virtual ~Action() = default;
    /// Reads and validates the plugin's own options.
    virtual void configure(const Options& options) = 0;
    /// Notifier or remedy.
    virtual ActionRole role() const = 0;
    /// Handles one event.
    virtual Outcome execute(const Event& event, const ActionContext& context) = 0;
};

}  // namespace watchdog
