#pragma once

#include <watchdog/Event.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace watchdog {

/// Notifications not yet delivered, one file per event under DIRECTORY/ACTION/ (the engine's DIRECTORY
/// is named after the state file, so pipelines sharing a folder keep apart), named by the event's
/// record sequence. An event is kept from the moment it is routed to a notifier until the notifier
/// reports it delivered, so a failed delivery or a stop (clean or killed) loses none: the next start
/// delivers what is left, once, in order.
///
/// keep(), delivered(), leftovers(), size() and changes() change or read the kept events and are
/// called under the caller's lock; write() and waitWritten() touch the disk and are thread-safe, so
/// the files are written after that lock is released: changes() takes what to write, with a
/// generation, and write() skips a snapshot older than the one already on disk.
class Outbox {
public:
    /// Undelivered events kept per action at the most.
    static constexpr std::size_t kMaxKept = 1000;

    /// The files the folder holds at one moment (path -> event), and that moment's generation.
    struct Snapshot {
        std::uint64_t generation = 0;
        std::map<std::string, std::shared_ptr<const Event>> files;
    };

    /// `directory` is created when the first event is written.
    explicit Outbox(std::string directory);

    /// Keeps `event` for `action` until delivered(). A notifier that never delivers keeps at most
    /// kMaxKept events: past that the oldest is dropped, and returned so that the caller can say so.
    std::optional<Event> keep(const std::string& action, std::uint64_t sequence, const Event& event);
    /// `action` delivered `event`: its file goes with the next write().
    void delivered(const std::string& action, const Event& event);
    /// What the previous run left undelivered, per action, oldest first. Unreadable files are
    /// reported in `warnings` and removed. Every event returned stays kept until delivered().
    std::map<std::string, std::vector<Event>> leftovers(std::vector<std::string>& warnings);
    /// Events kept for `action` now.
    std::size_t size(const std::string& action) const;
    /// The files to write since the last snapshot (or since a write failed); nullopt when none.
    std::optional<Snapshot> changes();

    /// Makes the folder hold `snapshot`'s files (new ones written atomically, delivered and dropped
    /// ones removed) unless a newer snapshot is already written. Throws std::runtime_error naming
    /// the file and the reason; the next changes() then returns a snapshot again.
    void write(const Snapshot& snapshot);
    /// Returns once every change made before the call has been written (or its write failed), so a
    /// notifier delivers only what a kill would not lose. Whoever changes the outbox must write()
    /// its changes().
    void waitWritten();

private:
    struct Kept {
        std::string path;
        std::shared_ptr<const Event> event;
    };
    void settle(std::uint64_t generation);

    std::string directory_;
    std::map<std::string, std::vector<Kept>> kept_;  // under the caller's lock
    std::uint64_t taken_ = 0;                        // under the caller's lock
    std::atomic<std::uint64_t> changed_{0};
    std::atomic<bool> writeFailed_{false};

    std::mutex writeMutex_;
    std::condition_variable settledChanged_;
    std::set<std::string> onDisk_;  // under writeMutex_
    std::uint64_t written_ = 0;     // under writeMutex_
    std::uint64_t settled_ = 0;     // under writeMutex_: written, or failed
};

}  // namespace watchdog
