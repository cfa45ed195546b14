#pragma once

#include "config/ConfigNode.h"
#include <watchdog/ConfigError.h>
#include <watchdog/Options.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace watchdog {

/// Several configuration problems at once; what() is one line per problem.
class ConfigErrors : public std::runtime_error {
public:
    explicit ConfigErrors(std::vector<ConfigError> errors);
    /// Each problem, in file order.
    const std::vector<ConfigError>& errors() const { return errors_; }

private:
    std::vector<ConfigError> errors_;
};

/// The `log:` block.
struct LogSettings {
    bool console = true;
    std::string file;                ///< absolute path, or "" for no file
    std::string rotation = "daily";  ///< daily (at midnight), weekly, never, or a size such as 10M
    int keep = 14;                   ///< rotated files kept
    std::string level = "information";
};

/// The optional `http:` block (status server).
struct HttpSettings {
    bool enabled = false;
    std::string host = "127.0.0.1";  ///< an IPv4 address, [IPv6] in brackets, or a host name
    int port = 9480;
    std::string token;                  ///< bearer token; "" for none
    bool allowUnauthenticated = false;  ///< `allow_unauthenticated: true`: no token beyond loopback, on purpose
    /// A client must send a request's headers and body within this, else 408 and the connection closes.
    std::chrono::milliseconds requestTimeout{10000};
    /// A client must take an answer within this after its request was read, else it is disconnected.
    std::chrono::milliseconds answerTimeout{30000};
    /// A kept-alive connection with no new request for this long is closed.
    std::chrono::milliseconds idleTimeout{5000};
    /// Connections served at once; more wait in a queue (64), beyond that they are refused.
    int workers = 16;
};

/// One entry of checks:, actions: or sinks: before its plugin is loaded.
struct PluginBlock {
    std::string id;      ///< the key ("icecast"), or "sinks[0]" style for sinks
    std::string plugin;  ///< the plugin name
    SourceMark pluginMark;
    std::string label;  ///< display name (defaults to id)
    Options options;    ///< the whole block; plugin reads its own keys
};

/// Where a check's run() executes: in the daemon, or in a helper process that may crash alone.
enum class Isolation { None, Process };

/// A check with the core options.
struct CheckBlock : PluginBlock {
    int flapChanges = 0;                      ///< `flap.changes`: health changes that make it flapping; 0 off
    std::chrono::milliseconds flapWithin{0};  ///< `flap.within`: the window they are counted in
    std::chrono::milliseconds interval{60000};
    std::chrono::milliseconds timeout{10000};
    int failAfter = 1;
    int passAfter = 1;
    Isolation isolate = Isolation::None;              ///< `isolate: process` runs the check in a helper process
    unsigned long long isolateMemory = 256ULL << 20;  ///< `isolate_memory`: address space a run may add to the loaded plugin; 0 no limit
    ConfigNodePtr node;                               ///< the block as read, for the helper process to configure its own plugin
};

/// An action with the core options.
struct ActionBlock : PluginBlock {
    bool dryRun = false;
};

/// A list of action ids in a rule, or "every notifier"/"every remedy" for the default rules.
struct ActionList {
    std::vector<std::string> ids;
    bool allNotifiers = false;
    bool allRemedies = false;
};

/// One rule of `rules:`.
struct RuleSpec {
    enum class Trigger { Condition, Startup, Every, CheckError };

    std::string id;
    Trigger trigger = Trigger::Condition;
    // Condition: `when: N of [checks]`
    int threshold = 1;                ///< N (resolved: "all" = number of checks)
    std::vector<std::string> checks;  ///< the checks counted
    ActionList warn;
    std::chrono::milliseconds wait{0};
    ActionList then;
    ActionList recover;
    // Condition: `limit: {count: 2, per: 24h}`: remedies run at most `limitCount` times in any
    // `limitPer`; 0 for no limit
    int limitCount = 0;
    std::chrono::milliseconds limitPer{0};
    bool ignoreFlapping = false;  ///< `flapping: ignore`: a flapping check does not count as failing
    // Condition: `verify: {checks: [...], within: 5m}`: after the remedies succeed, these checks must pass
    std::vector<std::string> verifyChecks;
    std::chrono::milliseconds verifyWithin{0};
    bool verifyFromBackup = false;  ///< `verify.from_backup`: each source_ip a verify check reports is the remedy's address
    // Condition: `failback: {after: 15m, then: [...]}`: run these once the recovery lasted `after`
    bool failback = false;
    std::chrono::milliseconds failbackAfter{0};
    ActionList failbackThen;
    // Every: `every: 1h`
    std::chrono::milliseconds every{0};
    // CheckError: `throttle: 15m` (per check)
    std::chrono::milliseconds throttle{0};
    std::string when;  ///< the condition as written, for messages
};

/// The pipeline file, parsed and validated except for each plugin's own options.
struct Pipeline {
    std::string file;       ///< as given on the command line
    std::string directory;  ///< absolute folder of the file; relative paths resolve here
    std::string name = "encoder-watchdog";
    bool allowNoChecks = false;  ///< `watchdog.allow_no_checks`: run even with no enabled check
    std::string stateFile;       ///< absolute path
    std::vector<std::string> pluginPath;
    std::chrono::milliseconds statusMinInterval{60000};  ///< least time between on-demand status reports; 0 no limit
    LogSettings log;
    HttpSettings http;
    std::vector<CheckBlock> checks;
    std::vector<ActionBlock> actions;
    std::vector<RuleSpec> rules;  ///< empty with defaultRules=true when `rules:` is absent
    bool defaultRules = true;
    std::vector<PluginBlock> sinks;     ///< empty: the default sqlite sink beside the state file
    std::optional<Options> ha;          ///< the `ha:` block (two or more watchdogs, one lease); read and checked by core/ha
    ConfigNodePtr root;                 ///< keeps the tree the Options point into alive
    std::vector<ConfigError> problems;  ///< what readPipeline found, in file order; empty when valid
};

/// Problems without repeats at one place (the first met stands), sorted by line and column.
std::vector<ConfigError> inFileOrder(std::vector<ConfigError> problems);

/// Reads, substitutes ${VAR} (process environment, then env_file) and validates a pipeline file,
/// recording every problem it finds in `problems` and carrying on, so that the plugins' options can
/// be checked in the same pass. Throws ConfigErrors only when the file cannot be read as YAML.
Pipeline readPipeline(const std::string& path);

/// Reads, substitutes ${VAR} (process environment, then env_file) and validates a pipeline file.
/// Throws ConfigErrors with every problem found, each "FILE:LINE:COL: message" (readPipeline, then
/// throw when it found any).
Pipeline loadPipeline(const std::string& path);

/// The old script's rules: failover on 2 of all checks (every notifier warned, 300 s, every remedy),
/// startup announcement, hourly status, check errors throttled to one per 15 minutes per check.
std::vector<RuleSpec> defaultRules(const std::vector<CheckBlock>& checks);

}  // namespace watchdog
