#pragma once

#include "engine/EngineStatus.h"
#include "history/HistoryReport.h"
#include <watchdog/Record.h>

#include <string>
#include <vector>

namespace watchdog {

/// How far back GET /timeline looks: incidents and the longer uptime window.
inline constexpr std::chrono::hours kTimelineSpan{24 * 7};

/// One check's share of passing results over the last day and the last week, maintenance left out.
struct CheckUptime {
    std::string checkId;                           ///< the check's id
    std::string label;                             ///< its display name
    CheckTally day;                                ///< results of the last 24 h
    CheckTally week;                               ///< results of the last 7 days (as many as history holds)
    TimePoint oldest{};                            ///< the oldest result counted (history may reach less far back than 7 days)
    std::chrono::milliseconds maintenanceDay{0};   ///< maintenance of the check (or pipeline) in the last 24 h, left out
    std::chrono::milliseconds maintenanceWeek{0};  ///< the same over the week
};

/// The uptime of `checkId` from its results in `records` (any order) as of `now`; results taken
/// while the check or the pipeline was in maintenance (from the maintenance events in `records`)
/// are left out.
CheckUptime uptimeOf(const std::string& checkId, const std::string& label, const std::vector<Record>& records, TimePoint now);

/// The body of GET /timeline: {now, since, incidents[], maintenance[], uptime[]}. Incidents, newest
/// first, are the recorded events grouped by incident id, each with its events (type, time, summary,
/// who for an acknowledgement), started/ended, its duration, whether it is still open (a rule of
/// `snapshot` holds it) and who acknowledged it; maintenance lists the maintenance events.
std::string renderTimelineJson(const std::vector<Record>& events, const std::vector<CheckUptime>& uptime, const StatusSnapshot& snapshot);

/// Everything GET /timeline needs, read from `engine`'s history: one query for the events, one per
/// check for its results. Throws std::runtime_error when no history can be read.
std::string timelineJson(const EngineStatus& engine);

}  // namespace watchdog
