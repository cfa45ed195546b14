#pragma once

#include <watchdog/Record.h>
#include <watchdog/Sink.h>
#include <watchdog/SinkQueueSettings.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace watchdog {

/// Feeds one sink from its own thread: batches records, retries a failing sink with backoff, keeps
/// what the sink cannot take in an append-only on-disk spool, and replays it in order, once, when the
/// sink comes back. A spool left by an earlier run is replayed first.
class WATCHDOG_API SinkQueue {
public:
    SinkQueue(std::string sinkId, std::unique_ptr<Sink> sink, SinkQueueSettings settings);
    ~SinkQueue();

    /// Starts the writer thread (opens the sink there; a failing open() is retried like a write).
    void start();
    /// Queues a record; never blocks on the sink. After stop() it goes straight to the spool.
    void push(const Record& record);
    /// Writes or spools everything queued, waiting at most `timeout`; closes the sink; stops the thread.
    void stop(std::chrono::milliseconds timeout);
    /// Current counters.
    SinkQueueStats stats() const;
    /// The id of the sink ("sqlite", or the plugin name with an index).
    const std::string& id() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace watchdog
