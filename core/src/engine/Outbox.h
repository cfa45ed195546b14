#pragma once

#include <watchdog/Event.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace watchdog {

/// Notifications not yet delivered, one file per event under DIRECTORY/ACTION/ (the engine's DIRECTORY
/// is named after the state file, so pipelines sharing a folder keep apart), named by the event's
/// record sequence. An event is kept from the moment it is routed to a notifier until the notifier
/// reports it delivered, so a failed delivery or a stop (clean or killed) loses none: the next start
/// delivers what is left, once, in order. Not thread-safe: the engine calls it under its lock.
class Outbox {
public:
    /// Undelivered events kept per action at the most.
    static constexpr std::size_t kMaxKept = 1000;

    /// `directory` is created when the first event is kept.
    explicit Outbox(std::string directory);

    /// Keeps `event` for `action` until delivered(). A notifier that never delivers keeps at most
    /// kMaxKept events: past that the oldest is dropped, and returned so that the caller can say so.
    std::optional<Event> keep(const std::string& action, std::uint64_t sequence, const Event& event);
    /// `action` delivered `event`: its file is removed.
    void delivered(const std::string& action, const Event& event);
    /// What the previous run left undelivered, per action, oldest first. Unreadable files are
    /// reported in `warnings` and removed. Every event returned stays kept until delivered().
    std::map<std::string, std::vector<Event>> leftovers(std::vector<std::string>& warnings);
    /// Events kept for `action` now.
    std::size_t size(const std::string& action) const;

private:
    struct Kept {
        std::string path;
        Event event;
    };
    std::string directory_;
    std::map<std::string, std::vector<Kept>> kept_;
};

}  // namespace watchdog
