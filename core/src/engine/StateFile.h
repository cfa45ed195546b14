#pragma once

#include "engine/RuleEngine.h"
#include <watchdog/CheckState.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace watchdog {

/// A check's saved hysteresis.
struct SavedCheck {
    Health health = Health::Unknown;
    int consecutive = 0;
    TimePoint since{};
    bool flapping = false;           ///< with `flap:`
    std::vector<TimePoint> changes;  ///< with `flap:`, the health changes within its window
};

/// What survives a restart: rule incidents (so a countdown keeps its deadline, and a remedy runs once
/// per incident, again only if it never reported an outcome), check hysteresis, and the record sequence.
struct SavedState {
    std::string pipeline;
    std::map<std::string, RuleState> rules;
    std::map<std::string, SavedCheck> checks;
    std::uint64_t sequence = 0;
    std::vector<MaintenanceWindow> maintenance;  ///< windows in force
    std::vector<QueuedRequest> requests;         ///< written by the CLI while no watchdog ran; applied at start
    TimePoint saved{};                           ///< when this state was written
};

/// The state file: JSON written atomically (temp file, fsync, rename, fsync of the folder).
class StateFile {
public:
    explicit StateFile(std::string path);

    /// Reads the file. A missing file gives an empty state; a corrupt one, or one written for another
    /// pipeline, gives an empty state and sets `warning` to say why.
    SavedState load(const std::string& pipeline, std::string& warning) const;
    /// Writes the state atomically; throws std::runtime_error naming the file on failure.
    void save(const SavedState& state) const;
    /// The file's path.
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace watchdog
