#pragma once

#include "IncidentCard.h"

#include <string>
#include <vector>

namespace watchdog::discord_notify {

/// The cards of recent incidents, kept in a small JSON file so that a restart keeps editing the same
/// Discord message. Cards whose last event is older than a week are dropped, and at most 100 are kept.
class IncidentCardStore {
public:
    /// Cards kept in `path` ("" keeps them in memory only).
    explicit IncidentCardStore(std::string path);

    /// Reads the file once (a missing file is no cards); "" or why it could not be read (then it
    /// starts empty and the next save() replaces the file).
    std::string load();
    /// The card of `incident`, or nullptr.
    IncidentCard* find(const std::string& incident);
    /// A new card for the incident of `event` (its first event), returned for filling in.
    IncidentCard& open(const Event& event, const std::string& content);
    /// Forgets old cards (see the class comment) and writes the file; "" or the error.
    std::string save(TimePoint now);
    /// The file ("" for none).
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::vector<IncidentCard> cards_;
};

}  // namespace watchdog::discord_notify
