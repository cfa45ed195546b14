#pragma once

// Two (or more) real encoder-watchdog processes on one pipeline with one lease in a real MariaDB,
// aws_start against the suite's EC2 endpoint, scripted checks both nodes read from one folder, and a
// recorder notifier per node. Used by the HA tests and the HA benchmark.

#include "FakeEc2.h"
#include "MariaDbServer.h"
#include "TestSupport.h"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <memory>
#include <string>

namespace watchdog::test {

/// One node: its folder, its pipeline and, while running, its process.
struct HaNode {
    std::string name;
    bool primary = false;
    std::unique_ptr<TempDir> dir;
    int httpPort = 0;
    std::string pipeline;
    std::unique_ptr<ChildProcess> process;

    /// Starts the daemon.
    void start();
    /// GET /status, parsed; null if the node does not answer.
    Poco::JSON::Object::Ptr status() const;
    /// /status's `ha` object says this node holds the lease.
    bool leading() const;
    /// Event types the node's recorder notifier received, in order.
    std::vector<std::string> notified() const;
    /// How many times `type` was notified.
    int notifiedCount(const std::string& type) const;
    /// Its log so far.
    std::string log() const { return process ? process->output() : std::string(); }
};

/// The database, the EC2 endpoint, the shared check scripts and the nodes.
class HaPair {
public:
    static constexpr const char* kInstance = "i-0123456789abcdef0";

    /// `wait`: the failover rule's wait; `ttl`: the lease's; `sinks`: YAML sink items per node ("NODE"
    /// is replaced by the node's name, "DBPORT" by the database's port), default sink_only.
    explicit HaPair(const std::string& wait, const std::string& ttl = "1s", const std::string& sinks = "");

    /// Adds a node (its pipeline written, not started).
    HaNode& add(const std::string& name, bool primary);
    /// Both scripted checks report `line` from now on ("pass fine", "fail down").
    void script(const std::string& line);

    MariaDbServer db;
    FakeEc2 ec2;

private:
    std::string wait_, ttl_, sinks_;
    TempDir shared_;
    std::vector<std::unique_ptr<HaNode>> nodes_;
};

}  // namespace watchdog::test
