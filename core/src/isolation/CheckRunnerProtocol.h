#pragma once

// The messages between the daemon and a check process (`encoder-watchdog __check-runner ID`), one
// JSON object per line on the socket that is the process's fd 3:
//   daemon -> process  {"setup": {...}}                  once: the plugin file, its block, the limits
//   process -> daemon  {"ready": true} | {"setup_error": "why"}
//   daemon -> process  {"run": {"id", "label", "interval_ms", "timeout_ms"}}   for every run
//   process -> daemon  {"log": {...}}*  then  {"result": {...}}
//   process -> daemon  {"memory_limit": true}            just before it exits at isolate_memory
// The process exits when the socket closes.

#include "config/ConfigNode.h"
#include <watchdog/Check.h>
#include <watchdog/Result.h>

#include <Poco/JSON/Object.h>

#include <string>

namespace watchdog {

/// Bumped when a message changes shape; a process refuses a setup of another version.
constexpr int checkRunnerProtocol = 1;

/// The longest line a check process may send (a bounded result is far smaller).
constexpr std::size_t maxRunnerLineBytes = 1 << 20;

/// The hidden verb that makes the daemon's binary a check process.
constexpr const char* checkRunnerVerb = "__check-runner";

/// What a check process needs to load and configure its own instance of the plugin.
struct RunnerSetup {
    std::string library;                 ///< the plugin file, as the daemon resolved it
    std::string plugin;                  ///< its name (`plugin:`)
    std::string where;                   ///< "checks.ID", for the plugin's messages
    std::string baseDirectory;           ///< the pipeline's folder, for relative paths
    ConfigNodePtr block;                 ///< the check's block, ${VAR} already substituted
    unsigned long long memoryLimit = 0;  ///< address space a run may add to the loaded plugin (RLIMIT_AS); 0 none
    int logLevel = 6;                    ///< Poco priority of the daemon's root logger
};

/// The object as one line of compact JSON (no newline in it).
std::string toLine(const Poco::JSON::Object& message);
/// Parses one line; throws std::runtime_error unless it is a JSON object.
Poco::JSON::Object::Ptr parseLine(const std::string& line);

/// {"setup": ...}
std::string setupLine(const RunnerSetup& setup);
/// Reads a setup message; throws std::runtime_error on any other shape or version.
RunnerSetup readSetup(const Poco::JSON::Object& message);

/// {"run": ...}
std::string runLine(const CheckContext& context);
/// The context of a run message (its `cancelled` is left null).
CheckContext readRun(const Poco::JSON::Object& message);

/// {"result": ...}; the value travels as text so NaN and infinities survive.
std::string resultLine(const Result& result);
/// Reads the result of a result message.
Result readResult(const Poco::JSON::Object& message);

/// The tree as JSON, with every mark and what ${VAR} put in it (so messages still hide secrets).
Poco::JSON::Object::Ptr configNodeToJson(const ConfigNode& node);
/// The tree back; throws std::runtime_error on a malformed one.
ConfigNodePtr configNodeFromJson(const Poco::JSON::Object& json);

}  // namespace watchdog
