#pragma once

#include <watchdog/Abi.h>
#include <watchdog/CheckState.h>
#include <watchdog/Clock.h>
#include <watchdog/Result.h>

#include <optional>
#include <string>
#include <vector>

namespace watchdog {

/// What happened; notifiers render each type their own way.
enum class EventType {
    Startup,             ///< the daemon started monitoring
    Status,              ///< periodic or on-demand status report
    Warning,             ///< an incident opened: a rule's condition became true; countdown to `deadline`
    Cancelled,           ///< the condition cleared during the countdown; no remedy ran
    Failover,            ///< the wait ran out with the condition still true; remedies are being run
    Outcome,             ///< a remedy finished (ok or not); see action, ok, summary, details
    Recovered,           ///< the condition cleared after remedies ran; `duration` is the outage length
    CheckError,          ///< a check could not observe; `checkId` and `summary` carry the error text
    Shutdown,            ///< the daemon is stopping
    Limited,             ///< the wait ran out but the rule's `limit` was reached: no remedy ran; `deadline` is when one may
    Verified,            ///< the `verify` checks passed after the remedies; `duration` is the time since the failover
    NotVerified,         ///< the `verify` checks did not pass `within` the deadline: the backup is not on air (escalation)
    Failback,            ///< recovered and stayed so for `failback.after`: the failback actions run
    FailbackCancelled,   ///< the condition returned while failing back: the backup stays on
    Flapping,            ///< `checkId` changed state `flap.changes` times within `flap.within`; no per-change messages follow
    Stable,              ///< `checkId` stopped flapping
    MaintenanceStarted,  ///< an operator started maintenance: `details` scope, id, until, reason, by; `deadline` is its end
    MaintenanceEnded,    ///< maintenance ended (by an operator or at its deadline); `failing` lists what failed meanwhile
    Acknowledged,        ///< an operator acknowledged the open incident of `rule`: `details` by, reason
};

/// "startup", "status", "warning", "cancelled", "failover", "outcome", "recovered", "check_error", "shutdown",
/// "limited", "verified", "not_verified", "failback", "failback_cancelled", "flapping", "stable",
/// "maintenance_started", "maintenance_ended", "acknowledged".
WATCHDOG_API const char* toString(EventType type);
/// The inverse of toString; nullopt for an unknown word.
WATCHDOG_API std::optional<EventType> eventTypeFromString(const std::string& word);

/// The detail the core adds to the Outcome of an action run with dry_run (unless the action set it).
inline constexpr const char* kDryRunDetail = "dry_run";

/// A message from the rule engine to actions and sinks.
struct Event {
    EventType type = EventType::Status;
    TimePoint time{};
    std::string pipeline;                               ///< watchdog.name
    std::string rule;                                   ///< the rule that emitted it ("failover"); empty for core events
    std::string incident;                               ///< incident id, shared by Warning..Recovered of one incident
    std::string summary;                                ///< one line a person reads
    std::vector<std::string> failing;                   ///< ids of the checks that made the condition true
    std::optional<TimePoint> deadline;                  ///< Warning: when remedies run if still failing; Limited: when they may run again
    std::optional<std::chrono::milliseconds> duration;  ///< Recovered: outage length; Outcome: run time; Verified: time to air
    std::string checkId;                                ///< CheckError, Flapping, Stable: which check
    std::string action;                                 ///< Outcome: which action
    bool ok = true;                                     ///< Outcome: whether the remedy succeeded
    Details details;                                    ///< Outcome: instance id, state, address; "dry_run" for a dry run. Verified,
                                                        ///< NotVerified: the remedies' details (instance_id, public_ip, private_ip)
    std::vector<CheckSnapshot> checks;                  ///< every check's state when the event was made
};

/// True for the Outcome of an action run with dry_run: it said what it would do and changed nothing.
WATCHDOG_API bool isDryRun(const Event& event);

}  // namespace watchdog
