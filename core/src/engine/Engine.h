#pragma once

#include "engine/Assembly.h"
#include "engine/Coordination.h"
#include "engine/EngineStatus.h"

#include <functional>
#include <memory>

namespace watchdog {

/// How long each part may take to stop (TERM must finish within a second).
struct StopBudget {
    std::chrono::milliseconds checks{150};
    std::chrono::milliseconds actions{300};
    std::chrono::milliseconds sinks{400};
};

/// Makes a second instance of the first readable sink for reading history, or nullptr if none.
using HistoryReaderFactory = std::function<std::unique_ptr<Sink>()>;

/// The running daemon: the scheduler feeds results to the check tracker, the rule engine turns them
/// into events, events go to action runners and every result and event goes to the sink queues as a
/// record. Rule and check state is saved to the state file whenever it changes, and resumed on start.
class Engine : public EngineStatus {
public:
    /// Takes ownership of the assembled plugins. The pipeline must outlive nothing: it is copied.
    Engine(Pipeline pipeline, Assembly assembly, HistoryReaderFactory historyReader = {});
    ~Engine() override;

    /// HA (`ha:`): only while `coordination` lets this node act are notifiers told and remedies run
    /// (each claimed under the lease first). Call before start(); the engine starts and stops it and,
    /// on a final stop (announce), gives the lease up.
    void setCoordination(std::shared_ptr<Coordination> coordination);

    /// Loads the state file, opens the sinks, starts actions, announces startup (unless `announce` is
    /// false, as on a reload) and starts the checks.
    void start(bool announce = true);
    /// Stops checks, sends a Shutdown event (unless `announce` is false), drains actions and sinks
    /// within the budget and saves the state file. Idempotent.
    void stop(bool announce = true, StopBudget budget = {});

    StatusSnapshot snapshot() const override;
    /// Always accepted: the daemon applies status_min_interval in front of the engine (CurrentEngine).
    StatusReportDecision requestStatusReport() override;
    std::vector<Record> history(const HistoryQuery& query) const override;
    std::vector<MaintenanceWindow> maintain(const MaintenanceRequest& request) override;
    AckReply acknowledge(const AckRequest& request) override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace watchdog
