#include "engine/Scheduler.h"

#include "common/ResultBounds.h"
#include <watchdog/HumanFormat.h>

#include <Poco/Logger.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace watchdog {

using Steady = std::chrono::steady_clock;

Result runCheckSafely(Check& check, const CheckContext& context) {
    Result r;
    try {
        r = check.run(context);
    } catch (const std::exception& e) {
        r = Result::error(std::string("check failed: ") + e.what());
    } catch (...) {
        r = Result::error("check failed with an unknown exception");
    }
    boundResult(r);
    return r;
}

struct Scheduler::Shared : std::enable_shared_from_this<Scheduler::Shared> {
    struct Slot {
        ScheduledCheck spec;
        Steady::time_point nextDue{};
        Steady::time_point deadline{};
        Steady::time_point started{};
        bool running = false;
        bool timedOut = false;
        std::shared_ptr<std::atomic<bool>> cancelled;
    };

    std::vector<Slot> slots;
    ResultCallback onResult;
    std::mutex mutex;
    // Two conditions, so that each wakes only who has something to do: `wake` the dispatcher (and
    // stop()), `workReady` the workers. One shared condition woke every thread at every start and
    // end of a check.
    std::condition_variable wake;
    std::condition_variable workReady;
    std::deque<std::size_t> queue;  // slots waiting for a worker
    bool stopping = false;
    std::size_t busy = 0;
    std::thread dispatcher;
    std::vector<std::thread> workers;  // grown by the dispatcher, under `mutex`
    static constexpr std::chrono::milliseconds kWorkerWait{20};
    Poco::Logger& log = Poco::Logger::get("watchdog.scheduler");

    void dispatch();
    void work();
    void deliver(const std::string& id, const Result& r, std::chrono::milliseconds took) {
        try {
            onResult(id, r, std::chrono::system_clock::now(), took);
        } catch (const std::exception& e) {
            log.error("handling the result of " + id + " failed: " + e.what());
        }
    }
};

void Scheduler::Shared::dispatch() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopping) {
        const auto now = Steady::now();
        auto next = now + std::chrono::hours(24);
        for (std::size_t i = 0; i < slots.size(); ++i) {
            Slot& s = slots[i];
            if (s.running && !s.timedOut && now >= s.deadline) {
                s.timedOut = true;
                s.cancelled->store(true);
                const std::string id = s.spec.id;
                const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(now - s.started);
                Result r = Result::error("timed out after " + human::duration(s.spec.timeout));
                log.warning("check " + id + " timed out after " + human::duration(s.spec.timeout) +
                            "; it will not be started again until it returns");
                lock.unlock();
                deliver(id, r, took);
                lock.lock();
                if (stopping) return;
            }
            if (now >= s.nextDue) {
                if (s.running) {
                    log.debug("check " + s.spec.id + " is still running; not started again");
                } else {
                    s.running = true;
                    s.timedOut = false;
                    s.started = now;
                    s.deadline = now + s.spec.timeout;
                    s.cancelled = std::make_shared<std::atomic<bool>>(false);
                    queue.push_back(i);
                    workReady.notify_one();
                }
                s.nextDue += s.spec.interval;
                if (s.nextDue <= now) s.nextDue = now + s.spec.interval;
            }
            next = std::min(next, s.nextDue);
            if (s.running && !s.timedOut) next = std::min(next, s.deadline);
        }
        // One worker serves quick checks one after another; another is added (up to one per check,
        // so a hung check never holds up the others) only when a check has waited for a free one.
        if (!queue.empty() && workers.size() < slots.size()) {
            const auto waitingSince = slots[queue.front()].started;
            if (now - waitingSince >= kWorkerWait)
                workers.emplace_back([self = shared_from_this()] { self->work(); });
            else
                next = std::min(next, waitingSince + kWorkerWait);
        }
        wake.wait_until(lock, next, [&] { return stopping; });
    }
}

void Scheduler::Shared::work() {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
        workReady.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) return;
        const std::size_t i = queue.front();
        queue.pop_front();
        Slot& s = slots[i];
        ScheduledCheck spec = s.spec;
        auto cancelled = s.cancelled;
        ++busy;
        lock.unlock();

        CheckContext ctx{spec.id, spec.label, spec.interval, spec.timeout, cancelled.get()};
        const auto began = Steady::now();
        Result r = runCheckSafely(*spec.check, ctx);
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - began);

        lock.lock();
        --busy;
        const bool late = s.timedOut;
        s.running = false;
        // The dispatcher needs no news of each check that ends (it reads `running` when the check is
        // due again), only that nothing runs any more: it then stops waiting for their deadlines.
        if (stopping || (busy == 0 && queue.empty())) wake.notify_all();
        if (stopping) return;
        lock.unlock();
        if (late)
            log.information("check " + spec.id + " returned after its timeout (" + human::duration(took) + "); result dropped");
        else
            deliver(spec.id, r, took);
        lock.lock();
    }
}

Scheduler::Scheduler(std::vector<ScheduledCheck> checks, ResultCallback onResult) : shared_(std::make_shared<Shared>()) {
    for (auto& c : checks) {
        Shared::Slot s;
        s.spec = std::move(c);
        shared_->slots.push_back(std::move(s));
    }
    shared_->onResult = std::move(onResult);
}

Scheduler::~Scheduler() { stop(std::chrono::milliseconds(0)); }

void Scheduler::start() {
    auto shared = shared_;
    const auto now = Steady::now();
    for (auto& s : shared->slots) s.nextDue = now;
    {
        std::lock_guard<std::mutex> lock(shared->mutex);
        shared->workers.emplace_back([shared] { shared->work(); });
    }
    shared->dispatcher = std::thread([shared] { shared->dispatch(); });
}

void Scheduler::stop(std::chrono::milliseconds grace) {
    auto shared = shared_;
    {
        std::unique_lock<std::mutex> lock(shared->mutex);
        if (shared->stopping && shared->workers.empty()) return;
        shared->stopping = true;
        for (auto& s : shared->slots)
            if (s.cancelled) s.cancelled->store(true);
        shared->wake.notify_all();
        shared->workReady.notify_all();
        shared->wake.wait_for(lock, grace, [&] { return shared->busy == 0; });
    }
    if (shared->dispatcher.joinable()) shared->dispatcher.join();
    std::unique_lock<std::mutex> lock(shared->mutex);
    const bool hung = shared->busy > 0;
    lock.unlock();
    for (auto& w : shared->workers) {
        // A worker stuck in a check that never returns is left behind; it holds `shared` alive.
        if (hung)
            w.detach();
        else if (w.joinable())
            w.join();
    }
    shared->workers.clear();
}

}  // namespace watchdog
