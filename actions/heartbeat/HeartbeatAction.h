#pragma once

#include "PingPlan.h"

#include <watchdog/Action.h>
#include <watchdog/OptionTable.h>

#include <chrono>
#include <mutex>
#include <string>

namespace watchdog::heartbeat {

/// Heartbeat: tells an outside monitor (healthchecks.io, Uptime Kuma push, Cronitor) that this
/// watchdog is alive. The core offers it an event at every completed check cycle and at startup;
/// it pings `url` (no incident open), `url/fail` (an incident open) or `url/start` (startup), at
/// most once per `every`, one attempt each, bounded by `timeout`. When the watchdog dies, freezes
/// or loses its network the pings stop and the monitor raises the alarm.
class HeartbeatAction : public Action {
public:
    /// Reads url, method, every, timeout, start, fail_url, start_url, ca_file.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// Always ActionRole::Heartbeat.
    ActionRole role() const override { return ActionRole::Heartbeat; }
    /// Pings for Startup and the core's cycle events; ignores everything else.
    Outcome execute(const Event& event, const ActionContext& context) override;

private:
    std::string urlFor(heartbeat::PingKind kind) const;
    /// The body of a POST: one line a person reads in the monitor's log.
    static std::string bodyFor(heartbeat::PingKind kind, const Event& event);
    /// Sends one ping; "" when the endpoint answered 2xx, else why not.
    std::string ping(heartbeat::PingKind kind, const Event& event, const ActionContext& context) const;
    /// The outcome of a ping: only the first failure in a row is a failure (logged once).
    Outcome report(heartbeat::PingKind kind, const std::string& error);

    std::string url_;
    std::string failUrl_;
    std::string startUrl_;
    std::string method_ = "GET";
    std::string caFile_;
    std::chrono::milliseconds timeout_{10000};
    std::unique_ptr<heartbeat::PingPlan> plan_;
    int failuresInRow_ = 0;
};

}  // namespace watchdog::heartbeat
