#pragma once

#include <watchdog/Abi.h>

#include <watchdog/Options.h>
#include <watchdog/Record.h>

#include <optional>
#include <string>
#include <vector>

namespace watchdog {

/// What the `history` verb asks a readable sink for.
struct HistoryQuery {
    TimePoint since{};           ///< records at or after this time
    std::string checkId;         ///< only this check's results (events are always included); empty = all
    std::size_t limit = 100000;  ///< at most this many records, newest kept
};

/// A sink plugin: stores batches of records. write() runs on the sink's own thread.
///
/// write() must either store the whole batch or throw: the core then keeps the batch (spooling it to
/// disk) and offers it again later, in order. A sink that can tell replays apart (by sequence) should
/// skip records it already holds, so a batch offered twice is stored once.
class WATCHDOG_API Sink {
public:
    virtual ~Sink() = default;
    /// Reads and validates the plugin's own options; no I/O yet.
    virtual void configure(const Options& options) = 0;
    /// Opens files or connections; may throw (the core retries later).
    virtual void open() {}
    /// Stores every record of the batch, or throws.
    virtual void write(const std::vector<Record>& batch) = 0;
    /// Flushes and closes.
    virtual void close() {}
    /// True if readHistory() is supported (the `history` verb uses the first such sink).
    virtual bool readable() const { return false; }
    /// Records matching the query, oldest first.
    virtual std::vector<Record> readHistory(const HistoryQuery& query);
};

}  // namespace watchdog
