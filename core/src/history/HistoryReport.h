#pragma once

#include <watchdog/Record.h>
#include <watchdog/Sink.h>

#include <ostream>
#include <string>
#include <vector>

namespace watchdog {

/// One check's tally over the history window.
struct CheckTally {
    std::string checkId;                       ///< the check's id ("icecast")
    std::string label;                         ///< its display name, as recorded
    std::size_t pass = 0;                      ///< passing results in the window
    std::size_t fail = 0;                      ///< failing results
    std::size_t error = 0;                     ///< results that could not observe
    std::size_t leftOut = 0;                   ///< results taken while the check was in maintenance: not counted above
    std::chrono::milliseconds maintenance{0};  ///< how much of the window the check was in maintenance
    /// Share of results that passed, 0..100 (0 when there are none).
    double passingPercent() const;
};

/// Per-check tallies of the result records, in order of first appearance. Results taken while the
/// check (or the pipeline) was in maintenance, as the recorded maintenance events say, are left out;
/// `from` and `to` bound the window whose maintenance time is counted (the records' span if unset).
std::vector<CheckTally> tallyResults(const std::vector<Record>& records, TimePoint from = TimePoint{}, TimePoint to = TimePoint{});

/// "icecast: 98.3 % passing, 2 failures, 0 errors over 1 h", with " (maintenance 1 h left out)"
/// after the share when the check was in maintenance.
std::string tallyLine(const CheckTally& tally, std::chrono::milliseconds window);

/// Prints results and events (oldest first) as an aligned table (time, check/event, status, value,
/// summary) followed by one uptime line per check, or as JSON ({since, window_ms, records[],
/// checks[]}). The window is now - query.since, or the span of the records when since is unset.
void printHistory(const std::vector<Record>& records, const HistoryQuery& query, bool json, std::ostream& out,
                  TimePoint now = std::chrono::system_clock::now());

}  // namespace watchdog
