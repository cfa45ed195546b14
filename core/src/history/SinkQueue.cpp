#include "history/SinkQueue.h"

#include <watchdog/HumanFormat.h>

#include "history/Spool.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
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

// Everything the threads touch lives here, shared with them, so a writer stuck in a hung write()
// can be left behind by stop() without touching freed memory.
//
// Order: the spool only ever holds records older than those in memory. Records move to the spool
// under `spoolMove` (taken before `mutex`), so two moves never interleave. A batch the writer has
// taken from memory (`inflight`) goes to the spool ahead of anything newer: by the writer when the
// sink fails, or by the watcher when the sink has been stuck for `stuckAfter` (a SIGKILL then loses
// nothing older than that). If the stuck write succeeds after all, its copy is dropped from the head
// of the spool again.
struct QueueCore {
    std::string id;
    std::unique_ptr<Sink> sink;
    SinkQueueSettings settings;
    Poco::Logger& log;
    std::unique_ptr<Spool> spool;

    mutable std::mutex mutex;
    std::mutex spoolMove;
    std::condition_variable wake;         // the writer waits on it
    std::condition_variable watcherWake;  // the watcher waits on it
    std::condition_variable finishedCv;
    std::deque<Record> memory;
    Steady::time_point firstQueuedAt{};
    std::vector<Record> inflight;          // taken from memory, being written now
    bool inflightSpooled = false;          // the watcher already put inflight in the spool...
    std::size_t inflightSpooledLines = 0;  // ...as this many lines at its head
    bool busy = false;                     // the writer is inside open() or write()
    Steady::time_point busySince{};
    bool stopping = false, finished = false, abandoned = false, watcherStop = false;
    Steady::time_point deadline{};
    SinkQueueStats stats;
    Steady::time_point lastLossWarning{};
    bool lossLogged = false;
    bool opened = false, failing = false, spoolFull = false;
    std::chrono::milliseconds backoff{0};
    Steady::time_point nextAttempt{}, spoolRetryAt{}, lastFullWarning{};
    std::string lastLoggedError;

    QueueCore(std::string i, std::unique_ptr<Sink> s, SinkQueueSettings st)
        : id(std::move(i)), sink(std::move(s)), settings(std::move(st)), log(Poco::Logger::get("watchdog.sink." + id)) {}

    bool down() const { return !opened || failing || !spool->empty(); }
    bool batchReady(Steady::time_point now) const {
        return memory.size() >= settings.maxBatch || now >= firstQueuedAt + settings.maxDelay || stopping;
    }

    std::vector<Record> takeFromMemory(std::size_t max) {
        const auto n = static_cast<long>(std::min(max, memory.size()));
        std::vector<Record> out(std::make_move_iterator(memory.begin()), std::make_move_iterator(memory.begin() + n));
        memory.erase(memory.begin(), memory.begin() + n);
        return out;
    }
    void giveBack(std::vector<Record>& records) {  // to the front: they are older than what memory holds
        memory.insert(memory.begin(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
        if (memory.size() > settings.memoryLimit) {
            const std::size_t over = memory.size() - settings.memoryLimit;
            memory.erase(memory.begin(), memory.begin() + static_cast<long>(over));
            lose(over,
                 "more than " + std::to_string(settings.memoryLimit) + " waiting in memory while the sink and its spool fail; oldest first",
                 false);
        }
        if (memory.size() == records.size()) firstQueuedAt = Steady::now();
    }

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
        const std::string text = "sink " + id + " cannot write: " + message + "; records are kept in the spool " + spool->path() +
                                 ", retrying in " + std::to_string(backoff.count()) + " ms";
        if (message != lastLoggedError)
            log.warning(text);
        else
            log.debug(text);
        lastLoggedError = message;
    }

    // Appends in order (caller holds spoolMove, not mutex). Returns how many the spool took (the rest
    // are dropped, counted and logged loudly), or nullopt on an I/O error (nothing was kept).
    std::optional<std::size_t> appendToSpool(const std::vector<Record>& records) {
        if (records.empty()) return 0;
        std::size_t accepted = 0;
        try {
            accepted = spool->append(records);
        } catch (const std::exception& e) {
            log.error("sink %s: cannot spool %z records (kept in memory, retrying): %s", id, records.size(), std::string(e.what()));
            std::lock_guard<std::mutex> lock(mutex);
            spoolRetryAt = Steady::now() + std::max(settings.retryMin, std::chrono::milliseconds(1000));
            return std::nullopt;
        }
        std::lock_guard<std::mutex> lock(mutex);
        const std::size_t refused = records.size() - accepted;
        if (refused == 0) {
            if (spoolFull && spool->empty()) spoolFull = false;
            return accepted;
        }
        stats.dropped += refused;
        const auto now = Steady::now();
        if (!spoolFull || now - lastFullWarning >= std::chrono::seconds(60)) {
            log.error("sink " + id + ": SPOOL FULL (" + std::to_string(spool->bytes()) + " bytes, limit " +
                      std::to_string(settings.spoolLimitBytes) + ") at " + spool->path() + ": DROPPING RECORDS, " +
                      std::to_string(stats.dropped) + " lost so far; fix the sink or raise the spool limit");
            lastFullWarning = now;
        }
        spoolFull = true;
        return accepted;
    }

    // Counts records that neither the sink nor the spool took (called with mutex held); logged at
    // once when `always`, otherwise at most once a minute.
    void lose(std::size_t count, const std::string& why, bool always) {
        if (count == 0) return;
        stats.dropped += count;
        const auto now = Steady::now();
        if (!always && lossLogged && now - lastLossWarning < std::chrono::seconds(60)) return;
        lossLogged = true;
        lastLossWarning = now;
        log.error("sink " + id + ": LOST " + human::count(count, "record") + " (" + why + "); " + std::to_string(stats.dropped) +
                  " lost so far");
    }

    // Moves all of memory to the spool (called with mutex held; returns with it held).
    void spoolMemory(std::unique_lock<std::mutex>& lock) {
        lock.unlock();
        std::lock_guard<std::mutex> move(spoolMove);
        lock.lock();
        if (abandoned) return;
        std::vector<Record> batch = takeFromMemory(memory.size());
        lock.unlock();
        if (!appendToSpool(batch)) {
            lock.lock();
            giveBack(batch);
            return;
        }
        lock.lock();
    }

    // Replays one batch from the spool (called with mutex held, returns with it held).
    void replayBatch(std::unique_lock<std::mutex>& lock) {
        busy = true;
        busySince = Steady::now();
        lock.unlock();
        try {
            if (!opened) {
                sink->open();
                opened = true;
            }
            Spool::Batch batch = spool->peek(settings.maxBatch);
            if (!batch.records.empty()) sink->write(batch.records);
            if (!isAbandoned()) {
                spool->commit(batch);
                noteSuccess(batch.records.size());
            }
        } catch (...) {
            if (!isAbandoned()) noteFailure(describe(std::current_exception()));
        }
        lock.lock();
        busy = false;
    }

    // Writes one batch from memory (called with mutex held, returns with it held).
    void writeFromMemory(std::unique_lock<std::mutex>& lock) {
        inflight = takeFromMemory(settings.maxBatch);
        inflightSpooled = false;
        if (!memory.empty()) firstQueuedAt = Steady::now();
        const std::vector<Record> batch = inflight;
        busy = true;
        busySince = Steady::now();
        lock.unlock();
        std::exception_ptr error;
        try {
            if (!opened) {
                sink->open();
                opened = true;
            }
            if (!batch.empty()) sink->write(batch);
        } catch (...) {
            error = std::current_exception();
        }
        std::lock_guard<std::mutex> move(spoolMove);  // settle with the watcher
        lock.lock();
        busy = false;
        if (abandoned) return;
        const bool alreadySpooled = inflightSpooled;
        const std::size_t spooledLines = inflightSpooledLines;
        std::vector<Record> mine;
        mine.swap(inflight);
        inflightSpooled = false;
        lock.unlock();
        if (!error) {
            if (alreadySpooled) {
                try {
                    spool->commit(spool->peek(spooledLines));  // stored after all: not to be replayed
                } catch (const std::exception& e) {
                    log.warning("sink %s: %s (the batch will be offered again)", id, std::string(e.what()));
                }
            }
            noteSuccess(batch.size());
        } else {
            noteFailure(describe(error));
            if (!alreadySpooled && !appendToSpool(mine)) {
                lock.lock();
                giveBack(mine);
                return;
            }
        }
        lock.lock();
    }

    bool isAbandoned() {
        std::lock_guard<std::mutex> lock(mutex);
        return abandoned;
    }

    // Stop requested: write what memory holds while the sink works and time remains, spool the rest.
    void drain(std::unique_lock<std::mutex>& lock) {
        while (!memory.empty() && !abandoned) {
            if (down() || Steady::now() >= deadline) {
                if (!opened && !failing && spool->empty() && Steady::now() < deadline) {
                    writeFromMemory(lock);  // never tried yet: one go
                    continue;
                }
                spoolMemory(lock);
                if (!memory.empty()) break;  // the spool cannot take them: nothing more to do
                continue;
            }
            writeFromMemory(lock);
        }
        if (!abandoned && !memory.empty()) {
            lose(memory.size(), "at stop: the sink is down and the spool " + spool->path() + " cannot be written", true);
            memory.clear();
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
            const bool ready = !memory.empty() && batchReady(now);
            if (down()) {
                // New records go to disk first, also between the batches of a long replay.
                if (ready && now >= spoolRetryAt && (opened || failing || !spool->empty())) {
                    spoolMemory(lock);
                    continue;
                }
                if (now >= nextAttempt) {
                    if (!spool->empty())
                        replayBatch(lock);
                    else
                        writeFromMemory(lock);  // opens the sink; an empty batch just tests open()
                    continue;
                }
            } else if (ready) {
                writeFromMemory(lock);
                continue;
            }
            auto wakeAt = now + std::chrono::hours(1);
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

    // Watches for a writer stuck inside open() or write() and spools what waits behind it.
    void watch() {
        const auto period = std::max(std::chrono::milliseconds(5), settings.stuckAfter / 4);
        std::unique_lock<std::mutex> lock(mutex);
        bool warned = false;
        while (!watcherStop && !abandoned) {
            watcherWake.wait_for(lock, period);
            if (watcherStop || abandoned) break;
            if (!busy) warned = false;
            const bool pending = !memory.empty() || (!inflight.empty() && !inflightSpooled);
            if (!busy || !pending || Steady::now() - busySince < settings.stuckAfter || Steady::now() < spoolRetryAt) continue;
            lock.unlock();
            std::lock_guard<std::mutex> move(spoolMove);
            lock.lock();
            if (!busy || abandoned) continue;
            std::vector<Record> batch;
            std::size_t fromInflight = 0;
            if (!inflightSpooled) {
                batch = inflight;
                fromInflight = batch.size();
            }
            std::vector<Record> fromMemory = takeFromMemory(memory.size());
            batch.insert(batch.end(), fromMemory.begin(), fromMemory.end());
            if (!warned)
                log.warning("sink " + id + " has been busy for over " + std::to_string(settings.stuckAfter.count()) + " ms; spooling " +
                            std::to_string(batch.size()) + " records meanwhile");
            warned = true;
            lock.unlock();
            const auto accepted = appendToSpool(batch);
            lock.lock();
            if (!accepted) {
                giveBack(fromMemory);
                continue;
            }
            if (fromInflight > 0) {
                inflightSpooled = true;
                inflightSpooledLines = std::min(*accepted, fromInflight);
            }
        }
    }
};

}  // namespace

struct SinkQueue::State {
    std::shared_ptr<QueueCore> core;
    std::thread writer;
    std::thread watcher;
    bool started = false;
    bool stopped = false;
};

SinkQueue::SinkQueue(std::string sinkId, std::unique_ptr<Sink> sink, SinkQueueSettings settings) : state_(std::make_unique<State>()) {
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
        c.log.information("sink " + c.id + ": replaying " + std::to_string(c.spool->pendingRecords()) +
                          " records spooled by an earlier run from " + c.spool->path());
    c.nextAttempt = Steady::now();
    state_->started = true;
    state_->writer = std::thread([core = state_->core] { core->run(); });
    state_->watcher = std::thread([core = state_->core] { core->watch(); });
}

void SinkQueue::push(const Record& record) {
    QueueCore& c = *state_->core;
    std::unique_lock<std::mutex> lock(c.mutex);
    if ((c.finished || c.abandoned) && c.spool) {
        // The writer is gone (a record raced with stop()): keep it on disk for the next run.
        lock.unlock();
        std::lock_guard<std::mutex> move(c.spoolMove);
        c.appendToSpool({record});
        return;
    }
    if (c.memory.empty()) c.firstQueuedAt = Steady::now();
    if (c.memory.size() >= c.settings.memoryLimit) {
        c.memory.pop_front();
        c.lose(1,
               "more than " + std::to_string(c.settings.memoryLimit) + " waiting in memory while the sink and its spool fail; oldest first",
               false);
    }
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
    c.deadline = Steady::now() + timeout * 3 / 4;  // leave the writer a quarter to spool what it could not write
    c.wake.notify_all();
    const bool finished = c.finishedCv.wait_until(lock, end, [&] { return c.finished; });
    c.watcherStop = true;
    c.watcherWake.notify_all();
    lock.unlock();
    state_->watcher.join();
    if (finished) {
        state_->writer.join();
        return;
    }
    // The sink is stuck inside open() or write(): spool its batch and the rest, and leave it behind.
    // Polling try_lock rather than try_lock_for: ThreadSanitizer does not see pthread_mutex_clocklock.
    std::unique_lock<std::mutex> move(c.spoolMove, std::defer_lock);
    bool moving = move.try_lock();
    for (int i = 0; i < 100 && !moving; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        moving = move.try_lock();
    }
    lock.lock();
    c.abandoned = true;
    std::vector<Record> rest;
    if (!c.inflightSpooled) rest = std::move(c.inflight);
    c.inflight.clear();
    for (auto& r : c.memory) rest.push_back(std::move(r));
    c.memory.clear();
    lock.unlock();
    c.log.error("sink " + c.id + " did not finish within " + std::to_string(timeout.count()) + " ms (stuck in open or write); spooling " +
                std::to_string(rest.size()) + " records and leaving it");
    const bool spooled = moving && c.appendToSpool(rest).has_value();
    if (!spooled) {
        std::lock_guard<std::mutex> guard(c.mutex);
        c.lose(rest.size(), "at stop: the sink is stuck and the spool cannot be written", true);
    }
    state_->writer.detach();
}

SinkQueueStats SinkQueue::stats() const {
    const QueueCore& c = *state_->core;
    std::lock_guard<std::mutex> lock(c.mutex);
    SinkQueueStats s = c.stats;
    s.queued = c.memory.size() + (c.inflightSpooled ? 0 : c.inflight.size());
    if (c.spool) {
        s.spooledRecords = c.spool->pendingRecords();
        s.spoolBytes = c.spool->bytes();
    }
    return s;
}

const std::string& SinkQueue::id() const { return state_->core->id; }

}  // namespace watchdog
