#pragma once

// The text of a pipeline for the real binary with the test plugins (tests/plugins): scripted checks,
// recorder actions, rules and sinks, each one line in flow style.

#include <string>
#include <vector>

namespace watchdog::test {

/// Builds the sections of a pipeline.yaml (everything after the watchdog: block) one entry at a time.
class DaemonPipeline {
public:
    /// Checks encoder and segments (scripted, every 50 ms, 2 s timeout), actions notes and backup
    /// (recorders, backup the remedy) and rule failover: 2 of [encoder, segments] warns notes, waits
    /// 100 ms, then runs backup and recovers on notes; `ruleKeys` adds keys to the rule (", limit: ...").
    static DaemonPipeline failover(int port, const std::string& ruleKeys = "");

    /// An http: line listening on 127.0.0.1:`port`, with a bearer `token` when not empty.
    DaemonPipeline& http(int port, const std::string& token = "");
    /// A check of the `scripted` test plugin reading `<id>.txt`, with `keys` ("interval: 50ms").
    DaemonPipeline& scripted(const std::string& id, const std::string& keys);
    /// A `recorder` test action writing every event it gets to `<id>.jsonl`, with `keys` ("role: remedy").
    DaemonPipeline& recorder(const std::string& id, const std::string& keys = "");
    /// A rule `id` with `keys` ("on: startup, then: notes").
    DaemonPipeline& rule(const std::string& id, const std::string& keys);
    /// One entry of sinks: ("plugin: sink_only").
    DaemonPipeline& sink(const std::string& entry);
    /// The YAML text.
    std::string text() const;

private:
    std::string http_;
    std::vector<std::string> checks_, actions_, rules_, sinks_;
};

}  // namespace watchdog::test
