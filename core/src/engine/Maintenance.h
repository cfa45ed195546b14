#pragma once

#include <watchdog/Clock.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace watchdog {

/// What a maintenance window covers: every rule and check of the pipeline, one check (its failures
/// do not count for any rule), or one rule (it neither warns nor runs remedies).
enum class MaintenanceScope { Pipeline, Check, Rule };

/// "pipeline", "check" or "rule".
const char* toString(MaintenanceScope scope);
/// The inverse of toString; nullopt for an unknown word.
std::optional<MaintenanceScope> maintenanceScopeFromString(const std::string& word);

/// The longest maintenance accepted: a forgotten window must not silence the watchdog for good.
constexpr std::chrono::milliseconds maxMaintenance{30LL * 86'400'000};

/// Parses a maintenance length ("1h", "90m", "2d"): from 1 s up to maxMaintenance. Throws
/// std::invalid_argument with one line that names the text and the accepted range.
std::chrono::milliseconds parseMaintenanceLength(const std::string& text);

/// One maintenance window in force.
struct MaintenanceWindow {
    MaintenanceScope scope = MaintenanceScope::Pipeline;
    std::string id;  ///< the check or rule; "" for the pipeline
    TimePoint started{};
    TimePoint until{};  ///< it ends by itself then
    std::string reason;
    std::string by;                   ///< who started it ($SUDO_USER/$USER of the CLI, or "http")
    std::vector<std::string> failed;  ///< checks it covers that failed meanwhile, in order of first failure

    /// "the pipeline", "check icecast" or "rule failover".
    std::string describe() const;
};

/// A maintenance request from the CLI or POST /maintenance: start (or extend) a window, or end one.
struct MaintenanceRequest {
    bool end = false;
    MaintenanceScope scope = MaintenanceScope::Pipeline;
    std::string id;                       ///< the check or rule; "" for the pipeline
    std::chrono::milliseconds length{0};  ///< start: how long, within maxMaintenance
    std::string reason;
    std::string by;
    TimePoint at{};  ///< when it was asked for (a window starts then, also when applied later)
};

/// An acknowledgement request from the CLI or POST /ack.
struct AckRequest {
    std::string rule;  ///< "" for the only open incident
    std::string reason;
    std::string by;
    TimePoint at{};
};

/// Who acknowledged an open incident, and why: its reminders and escalations stop; it clears
/// itself when the incident ends.
struct Acknowledgement {
    std::string by;
    std::string reason;
    TimePoint at{};
};

/// A request recorded in the state file while no watchdog ran; the daemon applies it at start.
struct QueuedRequest {
    enum class Kind { Maintenance, Ack };
    Kind kind = Kind::Maintenance;
    MaintenanceRequest maintenance;  ///< Kind::Maintenance
    AckRequest ack;                  ///< Kind::Ack
};

/// A request that cannot be applied, with a one-line reason (HTTP 400 for bad input, 409 when
/// there is no open incident to acknowledge or no maintenance to end).
class OperatorRequestRefused : public std::runtime_error {
public:
    enum class Why { BadInput, NothingOpen };
    OperatorRequestRefused(Why why, const std::string& message) : std::runtime_error(message), why_(why) {}
    /// Which kind of refusal.
    Why why() const { return why_; }

private:
    Why why_;
};

}  // namespace watchdog
