#pragma once

#include <watchdog/Record.h>

#include <chrono>
#include <string>
#include <vector>

namespace watchdog {

/// A stretch of time in which a check was in maintenance, read back from the recorded
/// maintenance_started and maintenance_ended events.
struct MaintenancePeriod {
    std::string checkId;  ///< the check it covered; "" for the whole pipeline
    TimePoint from{};
    TimePoint to{};
};

/// The pipeline and check maintenance periods in `records` (a rule's maintenance leaves its checks
/// counted: they were not in maintenance, the rule was). An ended event carries its whole length, so
/// a window that began before the records did is still found; one not ended yet lasts until its
/// deadline or `until`, whichever is first.
std::vector<MaintenancePeriod> maintenancePeriods(const std::vector<Record>& records, TimePoint until);

/// True if a period covering `checkId` contains `t`.
bool inMaintenance(const std::vector<MaintenancePeriod>& periods, const std::string& checkId, TimePoint t);

/// How much of [from, to] periods covering `checkId` take, overlaps counted once.
std::chrono::milliseconds maintenanceTime(const std::vector<MaintenancePeriod>& periods, const std::string& checkId, TimePoint from,
                                          TimePoint to);

}  // namespace watchdog
