#pragma once

#include <watchdog/Clock.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace watchdog {

/// How this node stands in a pair (or more) of watchdogs sharing one lease, for /status and logs.
struct HaStatus {
    std::string node;                                   ///< this node's name (`ha.node`)
    std::string leader;                                 ///< the lease holder as last read ("" before the first read)
    bool leading = false;                               ///< this node holds a valid lease
    bool mayAct = false;                                ///< this node notifies and runs remedies now (lease, or when_db_down: act)
    std::uint64_t token = 0;                            ///< the lease's fencing token as last read
    std::optional<std::chrono::milliseconds> leaseAge;  ///< since the holder last renewed it
    std::chrono::milliseconds ttl{0};                   ///< `ha.ttl`
    bool databaseUp = false;                            ///< the last lease round reached the database
    std::string whenDbDown;                             ///< "act" or "wait"
    std::string error;                                  ///< the last database error, "" when up
};

/// What a node may do about one remedy of one incident.
enum class RemedyClaimResult {
    Run,  ///< recorded with this node's fencing token (or taken over, once, from a node that lost the lease before reporting): run it now
    AlreadyDone,  ///< another node (or an earlier run of this one) already recorded it: do not run it again
    NotLeader,    ///< this node does not hold the lease: wait
    Unavailable,  ///< the database cannot be reached: `when_db_down` decides
};

/// The answer to a claim.
struct RemedyClaim {
    RemedyClaimResult result = RemedyClaimResult::NotLeader;
    std::string summary;  ///< AlreadyDone: "run by node a (token 3)"; Unavailable: the database error
};

/// An incident as the nodes share it: the first node that opens it sets the id and the countdown.
struct SharedIncident {
    std::string incident;
    TimePoint opened{};
    TimePoint deadline{};
};

/// The engine's view of a lease shared with other watchdogs. Every node checks and records; only
/// the node for which mayAct() is true notifies, and a remedy runs only after claim() recorded it
/// with the current fencing token in the transaction that checked the token.
class Coordination {
public:
    virtual ~Coordination() = default;

    /// Starts taking and renewing the lease (on a thread of its own).
    virtual void start() = 0;
    /// Stops renewing; with `release` the lease is given up so another node takes over at once (a
    /// final stop), without it the lease runs on until its expiry (a reload: the next engine of this
    /// node takes it straight back).
    virtual void stop(bool release) = 0;
    /// True if this node may notify now. Never blocks.
    virtual bool mayAct() const = 0;
    /// Before a remedy runs for `incident`: records (incident, action, token) if this node holds the
    /// lease and nobody ran it yet, in one transaction. Blocks for one database round trip at most.
    virtual RemedyClaim claim(const std::string& incident, const std::string& action) = 0;
    /// A remedy this node claimed has reported its outcome. A claim never reported (its node died or
    /// froze while running it) is run again, once, by the node that holds the lease next.
    virtual void reported(const std::string& incident, const std::string& action) = 0;
    /// The rule `rule` opened `local`: joins the incident the nodes already share for that rule (its
    /// id, start and deadline are returned) or publishes `local` as the shared one. nullopt when the
    /// database cannot be reached (the local incident stands).
    virtual std::optional<SharedIncident> joinIncident(const std::string& rule, const SharedIncident& local) = 0;
    /// The rule's incident ended (recovered or cancelled) on the acting node.
    virtual void closeIncident(const std::string& rule, const std::string& incident) = 0;
    /// The node, the leader and the lease, for /status, /metrics and the page.
    virtual HaStatus status() const = 0;
};

}  // namespace watchdog
