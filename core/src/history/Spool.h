#pragma once

#include <watchdog/Record.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace watchdog {

/// An append-only file of records a sink could not take, replayed in order and exactly once.
///
/// Layout in its directory: `spool.jsonl` (a header line with a random id, then one JSON record per
/// line, fsync'd per append) and `spool.offset` ("<id> <byte offset>", rewritten in place and
/// fdatasync'd after each replayed batch). A crash mid-replay re-offers at most the last batch; a torn last line (a crash
/// mid-append) is cut off on open. Once everything is replayed the file is emptied and gets a new id,
/// so a stale offset file can never point into new data. Thread-safe.
class Spool {
public:
    /// Records read from the replay offset, and where the offset goes once they are stored.
    struct Batch {
        std::vector<Record> records;
        std::uint64_t endOffset = 0;  ///< byte offset just past the last line read
        std::uint64_t lines = 0;      ///< lines consumed (records plus unreadable lines skipped)
    };

    /// Opens (creating the directory and file if missing) and recovers a spool left by an earlier run;
    /// throws std::runtime_error naming the path if it cannot.
    Spool(std::string directory, unsigned long long limitBytes);
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    /// Appends records in order with one fsync; returns how many fit under the size limit (the rest
    /// are refused). Throws std::runtime_error on an I/O error (nothing of the call is kept then).
    std::size_t append(const std::vector<Record>& records);
    /// Up to maxRecords records from the replay offset, oldest first (does not move the offset).
    Batch peek(std::size_t maxRecords);
    /// Durably moves the replay offset past `batch`; empties the file when everything is replayed.
    void commit(const Batch& batch);

    /// Records not yet replayed.
    std::uint64_t pendingRecords() const;
    /// Size of the spool file in bytes (what the limit applies to).
    std::uint64_t bytes() const;
    /// True when there is nothing to replay.
    bool empty() const { return pendingRecords() == 0; }
    /// Full path of the spool file.
    const std::string& path() const { return path_; }
    /// Lines that could not be parsed and were skipped during replay since open.
    std::uint64_t skippedLines() const;

private:
    void recover();
    void resetFile();
    void writeOffset(std::uint64_t offset);
    std::uint64_t readOffset() const;

    std::string directory_;
    std::string path_;
    std::string offsetPath_;
    unsigned long long limit_;
    int fd_ = -1;
    std::string id_;
    std::uint64_t size_ = 0;
    std::uint64_t headerEnd_ = 0;
    std::uint64_t offset_ = 0;
    std::uint64_t pending_ = 0;
    std::uint64_t skipped_ = 0;
    mutable std::mutex mutex_;
};

}  // namespace watchdog
