#pragma once

#include "engine/Maintenance.h"
#include "engine/StatusReportLimiter.h"
#include "history/SinkQueue.h"
#include <watchdog/CheckState.h>
#include "engine/Coordination.h"
#include <watchdog/Clock.h>
#include <watchdog/Sink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace watchdog {

/// Per-check counters and settings beside its snapshot.
struct CheckStatus {
    CheckSnapshot snapshot;
    std::string plugin;
    std::chrono::milliseconds interval{0};
    std::uint64_t passes = 0;    ///< results with status pass since start
    std::uint64_t failures = 0;  ///< results with status fail since start
    std::uint64_t errors = 0;    ///< results with status error (incl. timeouts) since start
};

/// A rule's `limit` and where it stands.
struct RuleLimitStatus {
    int count = 0;                     ///< remedy runs allowed per window
    std::chrono::milliseconds per{0};  ///< the window
    int runs = 0;                      ///< runs within the window now
    std::optional<TimePoint> reopens;  ///< when another run is allowed, if the window is full
};

/// One rule's state.
struct RuleStatus {
    std::string id;
    std::string phase;                              ///< "idle", "pending", "limited", "fired", "verifying" or "failing_back"
    std::string incident;                           ///< "" when idle
    std::optional<TimePoint> deadline;              ///< pending: when remedies run; limited: when they may run again;
                                                    ///< verifying: when it escalates; failing_back: when the failback runs
    std::optional<RuleLimitStatus> limit{};         ///< with `limit:` only
    std::optional<Acknowledgement> acknowledged{};  ///< the open incident was acknowledged
};

/// What an acknowledgement acknowledged.
struct AckReply {
    std::string rule;
    std::string incident;
    Acknowledgement acknowledged;
};

/// One action's counters.
struct ActionStatus {
    std::string id;
    std::string plugin;
    std::string role;  ///< "notifier", "remedy" or "heartbeat"
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
    std::size_t queued = 0;  ///< events waiting for the action's thread
};

/// One sink's queue.
struct SinkStatus {
    std::string id;
    std::string plugin;
    SinkQueueStats queue;
};

/// Everything /status and /metrics show, taken at one moment.
struct StatusSnapshot {
    std::string pipeline;
    std::string version;
    TimePoint started{};
    TimePoint now{};
    std::optional<HaStatus> ha;  ///< with `ha:` only: the node, the leader, the lease
    std::vector<CheckStatus> checks;
    std::vector<RuleStatus> rules;
    std::vector<ActionStatus> actions;
    std::vector<SinkStatus> sinks;
    std::vector<MaintenanceWindow> maintenance;  ///< windows in force
};

/// What the running engine offers the status server (and tests).
class EngineStatus {
public:
    virtual ~EngineStatus() = default;
    /// A consistent copy of the current state.
    virtual StatusSnapshot snapshot() const = 0;
    /// Sends a status report to the notifiers now (USR1, POST /notify), unless one went less than
    /// status_min_interval ago: the decision says which, and when the next may go.
    virtual StatusReportDecision requestStatusReport() = 0;
    /// Reads the first readable history sink; throws std::runtime_error if there is none.
    virtual std::vector<Record> history(const HistoryQuery& query) const = 0;
    /// Starts, extends or ends maintenance; returns the windows in force afterwards. Throws
    /// OperatorRequestRefused (bad input, nothing to end, or no engine running).
    virtual std::vector<MaintenanceWindow> maintain(const MaintenanceRequest& request) {
        (void)request;
        throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput, "this status server takes no maintenance requests");
    }
    /// Acknowledges an open incident. Throws OperatorRequestRefused (unknown rule, or nothing open).
    virtual AckReply acknowledge(const AckRequest& request) {
        (void)request;
        throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput, "this status server takes no acknowledgements");
    }
};

}  // namespace watchdog
