#pragma once

#include "config/Pipeline.h"
#include "engine/Maintenance.h"
#include <watchdog/CheckState.h>
#include <watchdog/Clock.h>
#include <watchdog/Event.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace watchdog {

/// An event and the actions it goes to.
struct RoutedEvent {
    Event event;
    std::vector<std::string> actions;
};

/// Where a condition rule is in its incident timeline.
enum class RulePhase {
    Idle,
    Pending,      ///< countdown to `deadline`
    Limited,      ///< the wait ran out but `limit` was reached; no remedy ran; `deadline` is when the window reopens
    Fired,        ///< remedies ran (the backup is on)
    Verifying,    ///< the remedies succeeded; the `verify` checks must pass by `deadline`
    FailingBack,  ///< recovered; the `failback` actions run at `deadline` unless the condition returns
};

/// "idle", "pending", "limited", "fired", "verifying" or "failing_back".
const char* toString(RulePhase phase);
/// The inverse of toString; nullopt for an unknown word.
std::optional<RulePhase> rulePhaseFromString(const std::string& word);

/// Where one remedy of a fired incident is. A remedy that was started but never reported an outcome
/// (the daemon stopped or died while it ran) is started again, once, when the incident resumes.
enum class RemedyProgress { Started, Retried, Reported };

/// "started", "retried" or "reported".
const char* toString(RemedyProgress progress);
/// The inverse of toString; nullopt for an unknown word.
std::optional<RemedyProgress> remedyProgressFromString(const std::string& word);

/// A condition rule's persisted and displayed state.
struct RuleState {
    RulePhase phase = RulePhase::Idle;
    std::string incident;
    TimePoint opened{};
    TimePoint deadline{};
    bool resumed = false;                            ///< restored from the state file; waits for fresh results before acting
    std::map<std::string, RemedyProgress> remedies;  ///< fired: each remedy of `then` by action id
    std::vector<TimePoint> runs{};                   ///< with `limit`: when the remedies ran, within the window; kept across incidents
    TimePoint fired{};                               ///< when the remedies were started (the time to air is counted from it)
    TimePoint verifyFrom{};                          ///< verifying: results from this moment on count
    bool remedyFailed = false;                       ///< a remedy of this incident reported a failure (nothing to verify)
    bool dryRun = false;                             ///< a remedy ran as a dry run (nothing changed, nothing to verify)
    Details onAir{};                                 ///< the remedies' instance_id, public_ip, private_ip, for messages
    std::optional<Acknowledgement> acknowledged{};   ///< an operator acknowledged this incident
};

/// How a rule stands against its `limit` at a moment.
struct LimitStanding {
    int runs = 0;                      ///< remedy runs within the window
    std::optional<TimePoint> reopens;  ///< when another run is allowed, if the window is full
};

/// Where a rule stands against its limit at `now` (runs older than the window do not count).
LimitStanding limitStanding(const RuleSpec& spec, const RuleState& state, TimePoint now);

/// The rule state machines: idle -> pending (warn) -> fired (then, once per incident) -> idle
/// (recover); a condition that clears while pending cancels. Closing the loop: `limit` holds an
/// incident in limited instead of firing; `verify` checks the takeover (fired -> verifying -> fired,
/// verified or not_verified); `failback` runs its actions once the recovery lasted (fired ->
/// failing_back -> idle; a failure meanwhile goes back to fired). Also startup, every and
/// check_error triggers, and flapping checks. Pure logic: it is given check snapshots and a clock,
/// and returns events to route.
class RuleEngine {
public:
    /// `rules` with action lists already resolved to ids; `notifiers` for on-demand status;
    /// `flapWindows`: `flap.within` of each check with `flap:`, for messages.
    RuleEngine(std::vector<RuleSpec> rules, std::vector<std::string> notifiers, const Clock& clock, std::string pipeline,
               std::map<std::string, std::chrono::milliseconds> flapWindows = {});

    /// Restores condition rules saved by an earlier run (unknown rule ids are ignored). `lastSeen`:
    /// when that run last saved its state; an incident found recovered at start recovered after it.
    void restore(const std::map<std::string, RuleState>& states, TimePoint lastSeen = TimePoint{});
    /// Restores maintenance windows saved by an earlier run (those past their end are ended at the next tick).
    void restoreMaintenance(std::vector<MaintenanceWindow> windows);
    /// Starts, extends or ends maintenance (one MaintenanceStarted or MaintenanceEnded event to every
    /// notifier). Throws OperatorRequestRefused for an unknown check or rule, or nothing to end.
    std::vector<RoutedEvent> maintain(const MaintenanceRequest& request, const std::vector<CheckSnapshot>& checks);
    /// Acknowledges the open incident of `request.rule` (or the only one): an Acknowledged event to its
    /// notifiers. Throws OperatorRequestRefused for an unknown rule, or no open incident.
    RoutedEvent acknowledge(const AckRequest& request, const std::vector<CheckSnapshot>& checks);
    /// The maintenance windows in force.
    const std::vector<MaintenanceWindow>& maintenance() const { return maintenance_; }
    /// The startup events (announce=false on a reload); starts `every` timers.
    std::vector<RoutedEvent> start(const std::vector<CheckSnapshot>& checks, bool announce);
    /// After a check result: flapping/stable and check_error events (none for a flapping check), and
    /// condition transitions.
    std::vector<RoutedEvent> onResult(const std::string& checkId, const Result& result, const std::vector<CheckSnapshot>& checks);
    /// Deadlines and timers that are due now.
    std::vector<RoutedEvent> tick(const std::vector<CheckSnapshot>& checks);
    /// A status report now (USR1, POST /notify): to the `every` rules' actions, or every notifier.
    std::vector<RoutedEvent> statusNow(const std::vector<CheckSnapshot>& checks);
    /// The outcome of a remedy run for a Failover (or Failback) event, routed to the incident's
    /// notifiers. It marks the remedy reported unless `interrupted` (it gave up because the daemon is
    /// stopping: it runs again after the restart); once every remedy succeeded, `verify` begins.
    RoutedEvent outcome(const Event& failover, const std::string& action, bool ok, const std::string& summary, const Details& details,
                        std::chrono::milliseconds took, const std::vector<CheckSnapshot>& checks, bool interrupted = false);
    /// A shutdown event to every notifier of the startup rules.
    RoutedEvent shutdown(const std::vector<CheckSnapshot>& checks);
    /// When tick() next has something to do.
    std::optional<TimePoint> nextWakeup() const;
    /// HA: another node opened this incident first. A pending `rule` takes its id, start and deadline,
    /// so the countdown is the one the nodes share. False if the rule is not pending (nothing changes).
    bool adoptIncident(const std::string& rule, const std::string& incident, TimePoint opened, TimePoint deadline);
    /// Condition rules' states, for the state file and /status.
    std::map<std::string, RuleState> states() const;

private:
    struct Rule {
        RuleSpec spec;
        RuleState state;
        TimePoint nextEvery{};
        std::map<std::string, TimePoint> lastError;  // per check, for the throttle
    };

    Event makeEvent(EventType type, const Rule& rule, const std::vector<CheckSnapshot>& checks) const;
    std::vector<std::string> failingChecks(const Rule& rule, const std::vector<CheckSnapshot>& checks) const;
    bool allReported(const Rule& rule, const std::vector<CheckSnapshot>& checks) const;
    void evaluate(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// Idle, the condition holds: the Pending phase and its Warning (firing at once when `wait` is 0).
    void startCountdown(Rule& rule, const std::vector<std::string>& failing, TimePoint now, const std::vector<CheckSnapshot>& checks,
                        std::vector<RoutedEvent>& out);
    /// Pending, the condition cleared: Cancelled (saying which checks maintenance holds), then idle.
    void cancelCountdown(Rule& rule, TimePoint now, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// Limited, the condition cleared: Recovered without a remedy, then idle.
    void recoverWhileLimited(Rule& rule, TimePoint now, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    void fire(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out, const std::string& why);
    /// Fires, unless the rule's limit is reached: then a Limited event and the Limited phase.
    void fireWithinLimit(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out, const std::string& why);
    /// Ends the incident; what outlives incidents (the limit's runs) stays.
    void close(Rule& rule);
    void retryUnreported(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// A remedy of the incident reported: remembers failures, dry runs and the addresses it gave.
    void noteOutcome(Rule& rule, bool ok, const Details& details);
    /// Fired, every remedy reported success and the rule has `verify`: the Verifying phase begins.
    void startVerifying(Rule& rule);
    /// Verifying: Verified once every verify check passed afresh, NotVerified at the deadline.
    void verifyTakeover(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// Fired or verifying, the condition cleared: Recovered, then failing back or idle.
    void recover(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// Failing back: cancelled by a new failure, or the failback actions at the deadline.
    void failBack(Rule& rule, bool active, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// The notifiers of a rule's warn and recover lists.
    std::vector<std::string> incidentNotifiers(const RuleSpec& spec) const;
    static std::string joinIds(const std::vector<std::string>& ids);
    static std::string labelsOf(const std::vector<std::string>& ids, const std::vector<CheckSnapshot>& checks);
    static bool timed(RulePhase phase);
    bool isNotifier(const std::string& action) const;
    bool countsAsFailing(const Rule& rule, const CheckSnapshot& check) const;
    /// evaluate(), with the reminders and escalations of an acknowledged incident kept from its notifiers.
    void evaluateAcknowledged(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// Resumed after a restart and the condition is gone: it recovered while the watchdog was down.
    void recoverWhileDown(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// A pipeline or rule window covers the rule: it is held (a countdown is cancelled).
    bool ruleCovered(const Rule& rule) const;
    /// A check window covers the check: its failures do not count.
    bool checkCovered(const std::string& checkId) const;
    /// A covered rule: a countdown or a limited wait is cancelled, anything else waits for the end.
    void holdForMaintenance(Rule& rule, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// Ends the windows past their deadline, then evaluates the rules they held.
    void expireMaintenance(const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    /// The MaintenanceEnded event of a window, to every notifier.
    RoutedEvent maintenanceEnded(const MaintenanceWindow& window, const std::vector<CheckSnapshot>& checks, const std::string& how) const;
    /// A covered check failed: the windows covering it remember it for their end message.
    void noteMaintenanceFailure(const std::string& checkId, const Result& result);
    void flapEvents(const std::string& checkId, const std::vector<CheckSnapshot>& checks, std::vector<RoutedEvent>& out);
    std::vector<std::string> notifiersWatching(const std::string& checkId) const;

    std::vector<Rule> rules_;
    std::vector<std::string> notifiers_;
    const Clock& clock_;
    std::string pipeline_;
    std::map<std::string, std::chrono::milliseconds> flapWindows_;
    std::map<std::string, bool> flapping_;  // per check, as last announced
    std::vector<MaintenanceWindow> maintenance_;
    TimePoint lastSeen_{};  // when the previous run last saved its state
};

}  // namespace watchdog
