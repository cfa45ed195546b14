#include "history/SinkQueue.h"

#include "history/Spool.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace watchdog {
namespace {

using Steady = std::chrono::steady_clock;

std::string describe(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const Poco::Exception& e) {
        return e.displayText();  // Poco's what() is only the class name
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown error";
    }
}

// Everything the writer thread touches lives here, shared with it, so a thread stuck in a hung
// write() can be left behind by stop() without touching freed memory.
struct QueueCore {
    std::string id;
    std::unique_ptr<Sink> sink;
    SinkQueueSettings settings;
    Poco::Logger& log;
    std::unique_ptr<Spool> spool;

    mutable std::mutex mutex;          // guards everything below except the writer-only fields
    std::condition_variable wake;      // the writer waits on it
    std::condition_variable finishedCv;
    std::mutex spoolMove;              // held while records move from memory to the spool, so moves keep order
    std::deque<Record> memory;
    Steady::time_point firstQueuedAt{};
    std::vector<Record> inflight;      // a batch taken from memory that the sink is writing now
    bool stopping = false;
    bool finished = false;
    bool abandoned = false;
    Steady::time_point deadline{};
    SinkQueueStats stats;

    // Writer-only state.
    bool opened = false;
    bool failing = false;
    std::chrono::milliseconds backoff{0};
    Steady::time_point nextAttempt{};
    Steady::time_point spoolRetryAt{};
    bool spoolFull = false;
    Steady::time_point lastFullWarning{};
    std::string lastLoggedError;

    QueueCore(std::string i, std::unique_ptr<Sink> s, SinkQueueSettings st)
        : id(std::move(i)), sink(std::move(s)), settings(std::move(st)), log(Poco::Logger::get("watchdog.sink." + id)) {}

    bool batchReady(Steady::time_point now) const {
        return memory.size() >= settings.maxBatch || now >= firstQueuedAt + settings.maxDelay || stopping;
    }

    std::vector<Record> takeFromMemory(std::size_t max) {
        const std::size_t n = std::min(max, memory.size());
        std::vector<Record> batch(std::make_move_iterator(memory.begin()),
                                  std::make_move_iterator(memory.begin() + static_cast<long>(n)));
        memory.erase(memory.begin(), memory.begin() + static_cast<long>(n));
        return batch;
    }

    bool down() const { return !opened || failing || (spool && !spool->empty()); }

    void noteSuccess(std::size_t n) {
        std::lock_guard<std::mutex> lock(mutex);
        stats.written += n;
        stats.lastError.clear();
        if (failing) log.information("sink %s is writing again", id);
        failing = false;
        backoff = std::chrono::milliseconds(0);
        nextAttempt = Steady::now();
        lastLoggedError.clear();
    }

    void noteFailure(const std::string& message) {
        std::lock_guard<std::mutex> lock(mutex);
        ++stats.failures;
        stats.lastError = message;
        failing = true;
        backoff = backoff.count() == 0 ? settings.retryMin : std::min(backoff * 2, settings.retryMax);
        nextAttempt = Steady::now() + backoff;
        const std::string text = "sink " + id + " cannot write: " + message + "; records are kept in the spool " +
                                 (spool ? spool->path() : std::string("(none)")) + ", retrying in " +
                                 std::to_string(backoff.count()) + " ms";
        if (message != lastLoggedError) log.warning(text);
        else log.debug(text);
        lastLoggedError = message;
    }

    // Appends records to the spool (oldest first). Records the spool refuses for its size limit are
    // dropped and counted; on an I/O error they go back to the front of memory to be tried later.
    void spoolRecords(std::vector<Record> records) {
        if (records.empty()) return;
        std::size_t accepted = 0;
        try {
            accepted = spool->append(records);
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(mutex);
            log.error("sink %s: cannot spool %z records (kept in memory, retrying): %s", id, records.size(),
                      std::string(e.what()));
            memory.insert(memory.begin(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
            spoolRetryAt = Steady::now() + std::max(settings.retryMin, std::chrono::milliseconds(1000));
            return;
        }
        std::lock_guard<std::mutex> lock(mutex);
        const std::size_t refused = records.size() - accepted;
        if (refused == 0) {
            if (spoolFull && spool->empty()) spoolFull = false;
            return;
        }
        stats.dropped += refused;
        const auto now = Steady::now();
        if (!spoolFull || now - lastFullWarning >= std::chrono::seconds(60)) {
            log.error("sink %s: SPOOL FULL (%Lu bytes, limit %Lu) at %s: DROPPING RECORDS, %Lu lost so far; "
                      "fix the sink or raise the spool limit",
                      id, static_cast<unsigned long long>(spool->bytes()), settings.spoolLimitBytes, spool->path(),
                      static_cast<unsigned long long>(stats.dropped));
            lastFullWarning = now;
        }
        spoolFull = true;
    }

    // Moves what memory holds into the spool, keeping order with any concurrent move.
    void spoolMemory(std::unique_lock<std::mutex>& lock) {
        lock.unlock();
        std::lock_guard<std::mutex> move(spoolMove);
        lock.lock();
        if (abandoned) return;
        std::vector<Record> batch = takeFromMemory(memory.size());
        lock.unlock();
        spoolRecords(std::move(batch));
        lock.lock();
    }

    // One try: open if needed, then replay one spooled batch or write one batch from memory.
    void attempt(std::unique_lock<std::mutex>& lock) {
        lock.unlock();
        std::vector<Record> fromMemory;
        try {
            if (!opened) {
                sink->open();
                opened = true;
            }
            if (!spool->empty()) {
                Spool::Batch batch = spool->peek(settings.maxBatch);
                if (!batch.records.empty()) sink->write(batch.records);
                {
                    std::lock_guard<std::mutex> guard(mutex);
                    if (abandoned) {
                        lock.lock();
                        return;
                    }
                }
                spool->commit(batch);
                noteSuccess(batch.records.size());
            } else {
                {
                    std::lock_guard<std::mutex> guard(mutex);
                    inflight = takeFromMemory(settings.maxBatch);
                    fromMemory = inflight;
                }
                if (!fromMemory.empty()) sink->write(fromMemory);
                {
                    std::lock_guard<std::mutex> guard(mutex);
                    if (abandoned) {
                        lock.lock();
                        return;
                    }
                    inflight.clear();
                }
                noteSuccess(fromMemory.size());
            }
        } catch (...) {
            noteFailure(describe(std::current_exception()));
            spoolInflight();
        }
        lock.lock();
    }

    // After a failed write of a batch taken from memory: that batch is the oldest, spool it first.
    void spoolInflight() {
        std::lock_guard<std::mutex> move(spoolMove);
        std::vector<Record> batch;
        {
            std::lock_guard<std::mutex> guard(mutex);
            if (abandoned) return;
            batch.swap(inflight);
        }
        spoolRecords(std::move(batch));
    }

    void writeFromMemory(std::unique_lock<std::mutex>& lock) {
        inflight = takeFromMemory(settings.maxBatch);
        if (!memory.empty()) firstQueuedAt = Steady::now();
        std::vector<Record> batch = inflight;
        lock.unlock();
        try {
            sink->write(batch);
            {
                std::lock_guard<std::mutex> guard(mutex);
                if (abandoned) {
                    lock.lock();
                    return;
                }
                inflight.clear();
            }
            noteSuccess(batch.size());
        } catch (...) {
            noteFailure(describe(std::current_exception()));
            spoolInflight();
        }
        lock.lock();
    }

    // Stop requested: write what memory holds while the sink works and time remains, spool the rest.
    void drain(std::unique_lock<std::mutex>& lock) {
        if (!opened && !failing) attempt(lock);
        while (!memory.empty() && !abandoned) {
            if (down() || Steady::now() >= deadline) {
                spoolMemory(lock);
                break;
            }
            writeFromMemory(lock);
        }
    }

    void run() {
        std::unique_lock<std::mutex> lock(mutex);
        while (!abandoned) {
            const auto now = Steady::now();
            if (stopping) {
                drain(lock);
                break;
            }
            if (down()) {
                if (now >= nextAttempt) {
                    attempt(lock);
                    continue;
                }
                if (!memory.empty() && batchReady(now) && now >= spoolRetryAt) {
                    spoolMemory(lock);
                    continue;
                }
            } else if (!memory.empty() && batchReady(now)) {
                writeFromMemory(lock);
                continue;
            }
            auto wakeAt = Steady::now() + std::chrono::hours(1);
            if (down()) wakeAt = std::min(wakeAt, nextAttempt);
            if (!memory.empty()) wakeAt = std::min(wakeAt, std::max(firstQueuedAt + settings.maxDelay, spoolRetryAt));
            wake.wait_until(lock, wakeAt);
        }
        if (abandoned) return;
        lock.unlock();
        if (opened) {
            try {
                sink->close();
            } catch (...) {
                log.warning("sink %s: close failed: %s", id, describe(std::current_exception()));
            }
        }
        lock.lock();
        finished = true;
        finishedCv.notify_all();
    }
};

}  // namespace

struct SinkQueue::State {
    std::shared_ptr<QueueCore> core;
    std::thread thread;
    bool started = false;
    bool stopped = false;
};

SinkQueue::SinkQueue(std::string sinkId, std::unique_ptr<Sink> sink, SinkQueueSettings settings)
    : state_(std::make_unique<State>()) {
    state_->core = std::make_shared<QueueCore>(std::move(sinkId), std::move(sink), std::move(settings));
}

SinkQueue::~SinkQueue() {
    if (state_->started && !state_->stopped) stop(std::chrono::milliseconds(2000));
}

void SinkQueue::start() {
    if (state_->started) return;
    QueueCore& c = *state_->core;
    try {
        c.spool = std::make_unique<Spool>(c.settings.spoolDirectory, c.settings.spoolLimitBytes);
    } catch (const std::exception& e) {
        throw std::runtime_error("sink " + c.id + ": " + e.what());
    }
    if (!c.spool->empty())
        c.log.information("sink %s: replaying %Lu records spooled by an earlier run from %s", c.id,
                          static_cast<unsigned long long>(c.spool->pendingRecords()), c.spool->path());
    c.nextAttempt = Steady::now();
    state_->started = true;
    state_->thread = std::thread([core = state_->core] { core->run(); });
}

void SinkQueue::push(const Record& record) {
    QueueCore& c = *state_->core;
    std::unique_lock<std::mutex> lock(c.mutex);
    if ((c.finished || c.abandoned) && c.spool) {
        // The writer is gone (a record raced with stop()): keep it on disk for the next run.
        lock.unlock();
        std::lock_guard<std::mutex> move(c.spoolMove);
        c.spoolRecords({record});
        return;
    }
    if (c.memory.empty()) c.firstQueuedAt = Steady::now();
    c.memory.push_back(record);
    if (c.memory.size() == 1 || c.memory.size() >= c.settings.maxBatch) c.wake.notify_one();
}

void SinkQueue::stop(std::chrono::milliseconds timeout) {
    if (!state_->started || state_->stopped) return;
    state_->stopped = true;
    QueueCore& c = *state_->core;
    const auto end = Steady::now() + timeout;
    std::unique_lock<std::mutex> lock(c.mutex);
    c.stopping = true;
    // Leave the writer a quarter of the time to spool what it could not write.
    c.deadline = Steady::now() + timeout * 3 / 4;
    c.wake.notify_all();
    if (c.finishedCv.wait_until(lock, end, [&] { return c.finished; })) {
        lock.unlock();
        state_->thread.join();
        return;
    }
    // The sink is stuck inside open() or write(): spool its batch and the rest, and leave it behind.
    lock.unlock();
    // Polling try_lock rather than try_lock_for: ThreadSanitizer does not see pthread_mutex_clocklock.
    std::unique_lock<std::mutex> move(c.spoolMove, std::defer_lock);
    bool moving = move.try_lock();
    for (int i = 0; i < 100 && !moving; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        moving = move.try_lock();
    }
    lock.lock();
    c.abandoned = true;
    std::vector<Record> rest = std::move(c.inflight);
    c.inflight.clear();
    for (auto& r : c.memory) rest.push_back(std::move(r));
    c.memory.clear();
    lock.unlock();
    c.log.error("sink %s did not finish within %Ld ms (stuck in open or write); spooling %z records and leaving it",
                c.id, static_cast<long long>(timeout.count()), rest.size());
    if (moving) c.spoolRecords(std::move(rest));
    state_->thread.detach();
}

SinkQueueStats SinkQueue::stats() const {
    const QueueCore& c = *state_->core;
    std::lock_guard<std::mutex> lock(c.mutex);
    SinkQueueStats s = c.stats;
    s.queued = c.memory.size() + c.inflight.size();
    if (c.spool) {
        s.spooledRecords = c.spool->pendingRecords();
        s.spoolBytes = c.spool->bytes();
    }
    return s;
}

const std::string& SinkQueue::id() const { return state_->core->id; }

}  // namespace watchdog
