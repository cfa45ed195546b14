#pragma once

#include <watchdog/Action.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace watchdog {

/// Called on the action's thread after each execute(): the event, the outcome and how long it took.
using OutcomeCallback = std::function<void(const Event& event, const Outcome& outcome, std::chrono::milliseconds took)>;

/// Asked on the action's thread before each execute(): an outcome to report instead of running the
/// action (HA: another node ran it), or nullopt to run it. It may block (waiting for the lease).
using RunGate = std::function<std::optional<Outcome>(const Event& event, const ActionContext& context)>;

/// Runs one action on its own thread from a bounded, ordered queue, so a slow Discord or a long EC2
/// start never blocks checks or other actions. When the queue is full the oldest Status event is
/// dropped first (a newer one follows), otherwise the oldest event, with an error in the log.
class ActionRunner {
public:
    ActionRunner(std::string id, std::string label, bool dryRun, std::shared_ptr<Action> action, OutcomeCallback onOutcome,
                 std::size_t capacity = 1000);
    ~ActionRunner();

    /// Sets the gate every event passes before execute(); call before start().
    void setGate(RunGate gate);
    /// Lets events run: the thread starts with the first event (an action never used costs none).
    void start();
    /// Queues an event; never blocks.
    void post(const Event& event);
    /// Lets queued events run for up to `grace`, then tells the action to stop and joins.
    void stop(std::chrono::milliseconds grace);
    /// Notifier or remedy.
    ActionRole role() const;
    /// Events waiting.
    std::size_t queued() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace watchdog
