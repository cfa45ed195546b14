#pragma once

#include "engine/EngineStatus.h"
#include "engine/StatusReportLimiter.h"

#include <shared_mutex>

namespace watchdog {

/// The EngineStatus the status server and SIGUSR1 talk to: whichever engine runs now, so a reload
/// can replace the engine under a server that keeps listening. It also applies status_min_interval
/// to on-demand status reports, across reloads.
class CurrentEngine : public EngineStatus {
public:
    CurrentEngine();

    /// Points at `engine` (nullptr: none, between two) once every call into the previous one has
    /// returned, so the previous one may be destroyed right after.
    void set(EngineStatus* engine, std::chrono::milliseconds statusMinInterval);

    /// The engine's snapshot; an empty one while there is none.
    StatusSnapshot snapshot() const override;
    /// Forwards at most one request per status_min_interval; logs the first refusal of each window.
    StatusReportDecision requestStatusReport() override;
    /// The engine's history; throws std::runtime_error while there is none.
    std::vector<Record> history(const HistoryQuery& query) const override;
    /// The engine's maintenance; refused while there is none.
    std::vector<MaintenanceWindow> maintain(const MaintenanceRequest& request) override;
    /// The engine's acknowledgement; refused while there is none.
    AckReply acknowledge(const AckRequest& request) override;

private:
    mutable std::shared_mutex mutex_;
    EngineStatus* engine_ = nullptr;
    SystemClock clock_;
    StatusReportLimiter limiter_;
};

}  // namespace watchdog
