#pragma once

#include "HaSettings.h"
#include "engine/Coordination.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace watchdog {

namespace mysql {
class MysqlConnection;
}

/// The lease of `ha: { lease: mysql }`: one row per pipeline in watchdog_ha_lease (holder, fencing
/// token, expiry, last renewal, all in the database's clock), taken and renewed in a transaction
/// every ttl/3. A holder that stopped renewing for ttl loses it to the next node, which increments
/// the token. Remedies are recorded in watchdog_ha_actions (incident, action, node, token) by the
/// transaction that checks the token is still current; incidents (start, deadline) are shared in
/// watchdog_ha_incidents. Two connections: one for the renewing thread, one for the engine's calls.
class MysqlLease : public Coordination {
public:
    /// `lease`: the row's name (the pipeline's name); nothing connects before start().
    MysqlLease(HaSettings settings, std::string lease);
    ~MysqlLease() override;

    /// Creates the tables if needed, runs one lease round (so a leader announces its start), then renews on a thread.
    void start() override;
    /// Stops renewing; with `release`, gives the lease up (expiry now) so another node takes over at once.
    void stop(bool release) override;
    bool mayAct() const override;
    RemedyClaim claim(const std::string& incident, const std::string& action) override;
    void reported(const std::string& incident, const std::string& action) override;
    std::optional<SharedIncident> joinIncident(const std::string& rule, const SharedIncident& local) override;
    void closeIncident(const std::string& rule, const std::string& incident) override;
    HaStatus status() const override;

    /// One lease round now (take, renew or observe); the renewing thread calls it every ttl/3. Public
    /// for tests and the benchmark.
    void renewOnce();
    /// Stops renewing without giving the lease up, as a process that froze would (tests).
    void abandon();

private:
    using Steady = std::chrono::steady_clock;
    struct Observed;

    void loop();
    /// Takes, renews or only reads the lease in one transaction on leaseDb_; throws when the database fails.
    Observed takeOrRenew(std::uint64_t mine);
    /// Keeps what a round found; true if the database had been reported down.
    bool recordRound(const Observed& seen, Steady::time_point began);
    /// Logs a change of leader (or of the database's state) that a round found.
    void logRound(const Observed& seen, bool wasDown, std::uint64_t mine, bool wasLeading, const std::string& before) const;
    void createTables(mysql::MysqlConnection& db);
    /// The engine's connection, connected if needed; throws MysqlError. `opsMutex_` held.
    mysql::MysqlConnection& ops();
    void noteDatabaseDown(const std::string& error);
    bool leaseValidLocally() const;

    HaSettings settings_;
    std::string lease_;
    mutable std::mutex mutex_;  // guards the fields below
    std::string leader_;
    std::uint64_t token_ = 0;          // the token of the lease as last read
    std::uint64_t heldToken_ = 0;      // the token this node holds (0: none)
    Steady::time_point validUntil_{};  // the local end of this node's lease: renewal start + ttl
    std::optional<std::chrono::milliseconds> age_;
    Steady::time_point ageRead_{};
    bool databaseUp_ = false;
    bool downLogged_ = false;
    std::string error_;

    std::mutex renewMutex_;                            // one lease round at a time (the thread, tests, stop)
    std::unique_ptr<mysql::MysqlConnection> leaseDb_;  // the lease rounds'
    std::mutex opsMutex_;
    std::unique_ptr<mysql::MysqlConnection> opsDb_;  // claims and incidents
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace watchdog
