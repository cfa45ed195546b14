#pragma once

// The settings and counters of the queue that feeds each sink: the daemon's, and the plugin test
// kit's QueuedSink (watchdog/testing/PluginTestKit.h), so a sink is tested behind the same queue.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace watchdog {

/// How a SinkQueue batches, retries and spools.
struct SinkQueueSettings {
    std::string spoolDirectory;                         ///< where this sink's spool lives (created if missing)
    unsigned long long spoolLimitBytes = 256ULL << 20;  ///< past this the spool refuses records, loudly
    std::size_t maxBatch = 500;                         ///< records per write()
    std::chrono::milliseconds maxDelay{200};            ///< how long a record may wait for a batch to fill
    std::chrono::milliseconds retryMin{200};            ///< first retry delay after a failed write
    std::chrono::milliseconds retryMax{30000};          ///< retry delay cap (doubling)
    std::chrono::milliseconds stuckAfter{1000};         ///< a write()/open() running longer has its records spooled meanwhile
    std::size_t memoryLimit = 100000;  ///< records held in memory while neither sink nor spool takes them; past it the oldest go
};

/// Counters for /status and /metrics.
struct SinkQueueStats {
    std::size_t queued = 0;            ///< records in memory waiting for the sink
    std::uint64_t spooledRecords = 0;  ///< records in the on-disk spool
    std::uint64_t spoolBytes = 0;
    std::uint64_t written = 0;   ///< records the sink accepted since start
    std::uint64_t failures = 0;  ///< failed write() calls since start
    std::uint64_t dropped = 0;   ///< records lost: spool full, memory limit, or unwritable at stop (each logged loudly)
    std::string lastError;       ///< the last write() error ("" after a success)
};

}  // namespace watchdog
