#include "engine/ActionRunner.h"

#include "common/ResultBounds.h"

#include <Poco/Logger.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace watchdog {

namespace {
// People read a dry run's outcome as one: it is marked whatever the action put in its details.
void markDryRun(Outcome& outcome) {
    for (const auto& [key, value] : outcome.details)
        if (key == kDryRunDetail) return;
    outcome.details.emplace_back(kDryRunDetail, "yes");
}
}  // namespace

struct ActionRunner::State {
    std::string id;
    std::string label;
    bool dryRun = false;
    std::shared_ptr<Action> action;
    OutcomeCallback onOutcome;
    RunGate gate;
    std::size_t capacity = 1000;
    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<Event> queue;
    bool closing = false;
    std::atomic<bool> stopping{false};
    bool busy = false;
    std::mutex callbackMutex;  // held while onOutcome runs, so stop() can tell a late outcome to stay away
    bool abandoned = false;    // stop() left the thread behind: its owner (and onOutcome's) may be gone
    bool started = false;      // start() was called; the thread itself starts with the first event
    std::thread thread;
    Poco::Logger& log = Poco::Logger::get("watchdog.action");

    // An action that never gets an event costs no thread. Called with `mutex` held.
    void startThreadIfNeeded(const std::shared_ptr<State>& self) {
        if (started && !queue.empty() && !thread.joinable()) thread = std::thread([self] { self->run(); });
    }

    void run() {
        std::unique_lock<std::mutex> lock(mutex);
        while (true) {
            wake.wait(lock, [&] { return closing || !queue.empty(); });
            if (queue.empty() || stopping) return;
            Event event = std::move(queue.front());
            queue.pop_front();
            busy = true;
            lock.unlock();
            ActionContext ctx{id, label, dryRun, &stopping};
            const auto began = std::chrono::steady_clock::now();
            Outcome outcome;
            try {
                std::optional<Outcome> instead;
                if (gate) instead = gate(event, ctx);
                outcome = instead ? *instead : action->execute(event, ctx);
            } catch (const std::exception& e) {
                outcome = Outcome::failure(std::string("action failed: ") + e.what());
            } catch (...) {
                outcome = Outcome::failure("action failed with an unknown exception");
            }
            boundOutcome(outcome);
            if (dryRun) markDryRun(outcome);
            const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
            if (!outcome.ok) log.error("action " + id + " (" + toString(event.type) + "): " + outcome.summary);
            try {
                std::lock_guard<std::mutex> guard(callbackMutex);
                if (onOutcome && !abandoned) onOutcome(event, outcome, took);
            } catch (const std::exception& e) {
                log.error("handling the outcome of " + id + " failed: " + e.what());
            }
            lock.lock();
            busy = false;
            wake.notify_all();
        }
    }
};

ActionRunner::ActionRunner(std::string id, std::string label, bool dryRun, std::shared_ptr<Action> action, OutcomeCallback onOutcome,
                           std::size_t capacity)
    : state_(std::make_shared<State>()) {
    state_->id = std::move(id);
    state_->label = std::move(label);
    state_->dryRun = dryRun;
    state_->action = std::move(action);
    state_->onOutcome = std::move(onOutcome);
    state_->capacity = capacity;
}

ActionRunner::~ActionRunner() { stop(std::chrono::milliseconds(0)); }

void ActionRunner::setGate(RunGate gate) { state_->gate = std::move(gate); }

void ActionRunner::start() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->started = true;
    state_->startThreadIfNeeded(state_);
}

void ActionRunner::post(const Event& event) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->closing) return;
    if (state_->queue.size() >= state_->capacity) {
        auto victim = state_->queue.begin();
        for (auto it = state_->queue.begin(); it != state_->queue.end(); ++it)
            if (it->type == EventType::Status) {
                victim = it;
                break;
            }
        state_->log.error("action " + state_->id + " is " + std::to_string(state_->queue.size()) + " events behind; dropped a " +
                          toString(victim->type) + " event");
        state_->queue.erase(victim);
    }
    state_->queue.push_back(event);
    state_->startThreadIfNeeded(state_);
    state_->wake.notify_all();
}

void ActionRunner::stop(std::chrono::milliseconds grace) {
    auto state = state_;
    {
        std::unique_lock<std::mutex> lock(state->mutex);
        if (!state->thread.joinable()) {
            state->closing = true;  // no event came, so no thread: nothing to wait for
            return;
        }
        state->closing = true;
        state->wake.notify_all();
        if (!state->wake.wait_for(lock, grace, [&] { return state->queue.empty() && !state->busy; })) {
            if (!state->queue.empty())
                state->log.warning("action " + state->id + ": " + std::to_string(state->queue.size()) +
                                   " events not delivered at shutdown");
        }
        state->stopping = true;
        state->wake.notify_all();
    }
    // execute() is asked to stop through ActionContext::isStopping(); wait for it a little longer.
    std::unique_lock<std::mutex> lock(state->mutex);
    const bool done = state->wake.wait_for(lock, std::chrono::milliseconds(500), [&] { return !state->busy; });
    lock.unlock();
    if (done) {
        state->thread.join();
        return;
    }
    {
        std::lock_guard<std::mutex> guard(state->callbackMutex);
        state->abandoned = true;
    }
    state->log.warning("action " + state->id + " did not return within its stop budget; its outcome will be ignored");
    state->thread.detach();
}

ActionRole ActionRunner::role() const { return state_->action->role(); }

std::size_t ActionRunner::queued() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->queue.size();
}

}  // namespace watchdog
