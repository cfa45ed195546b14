#include "HaSettings.h"

#include "config/Pipeline.h"
#include "MysqlSettings.h"

#include <Poco/Environment.h>

#include <algorithm>

namespace watchdog {
using namespace mysql;

HaSettings readHaSettings(const Options& block) {
    Options options = block;
    options.collectProblems();
    HaSettings s;
    options.choice("lease", {"mysql"}, "mysql");
    s.ttl = options.duration("ttl", s.ttl);
    if (s.ttl < std::chrono::seconds(1) || s.ttl > std::chrono::minutes(10)) options.report("ttl", "must be between 1s and 10m");
    s.node = options.string("node", Poco::Environment::nodeName());
    if (s.node.empty() || s.node.size() > 100) options.report("node", "must be a name of 1 to 100 characters");
    s.primary = options.boolean("primary", false);
    s.actWhenDbDown = options.choice("when_db_down", {"act", "wait"}, s.primary ? "act" : "wait") == "act";
    std::vector<ConfigError> stopped;
    try {
        s.database = readMysqlSettings(options);
    } catch (const ConfigError& e) {
        stopped.push_back(e);
    }
    // A lease round, a claim or joining an incident must not outlast the lease: the sink's 5 s and
    // 30 s defaults become a third of the ttl (at least the 1 s the client library allows, at most 5 s).
    const auto bound = std::clamp<std::chrono::milliseconds>(s.ttl / 3, std::chrono::seconds(1), std::chrono::seconds(5));
    if (!options.has("connect_timeout")) s.database.connectTimeout = bound;
    if (!options.has("io_timeout")) s.database.ioTimeout = bound;
    std::vector<ConfigError> problems = options.recordedProblems();
    problems.insert(problems.end(), stopped.begin(), stopped.end());
    for (auto& e : options.unknownKeys(stopped.empty() ? nullptr : &stopped.front().mark())) problems.push_back(e);
    if (!problems.empty()) throw ConfigErrors(problems);
    return s;
}

}  // namespace watchdog
