#pragma once

#include "migrate/EnvFile.h"

#include <initializer_list>
#include <set>
#include <string>
#include <vector>

namespace watchdog {

/// Reads settings from the .env, remembering which keys it used, what it could not map (exit 1)
/// and what the user should know although it mapped (warnings and information, exit 0).
class Migration {
public:
    /// Takes the parsed .env.
    explicit Migration(EnvFile env) : env_(std::move(env)) {}

    /// The entry for the first of `keys` present in the file (aliases), marking it used.
    const EnvEntry* take(std::initializer_list<const char*> keys);
    /// A value that must not be empty; reports and returns nullptr when missing or empty.
    const EnvEntry* require(std::initializer_list<const char*> keys, const std::string& dropped);
    /// Records something that could not be mapped, or that the pipeline does differently than the user may expect.
    void unmapped(const std::string& message) { unmapped_.push_back(message); }
    /// Records a mapping the user may not expect, made as the script behaved (a warning; exit 0).
    void warn(const std::string& message) { warnings_.push_back(message); }
    /// Records something the user should know that needs no change.
    void inform(const std::string& message) { information_.push_back(message); }
    /// The comments above and beside an entry, as YAML comment lines.
    static std::string commentsOf(const EnvEntry* e, int indent);

    /// The parsed .env.
    const EnvFile& env() const { return env_; }
    /// Keys some mapping used.
    const std::set<std::string>& used() const { return used_; }
    /// What could not be mapped, in the order met.
    const std::vector<std::string>& unmappedList() const { return unmapped_; }
    /// The warnings, in the order met.
    const std::vector<std::string>& warnings() const { return warnings_; }
    /// What the user should know, in the order met.
    const std::vector<std::string>& information() const { return information_; }

private:
    EnvFile env_;
    std::set<std::string> used_;
    std::vector<std::string> unmapped_;
    std::vector<std::string> warnings_;
    std::vector<std::string> information_;
};

/// One part of the pipeline: its YAML text and the ids it defines.
struct Section {
    std::string yaml;              ///< indented YAML lines
    std::vector<std::string> ids;  ///< check or action ids
};

/// "KEY (line N)" for messages.
std::string whereIs(const EnvEntry* e);

/// "${KEY}": the pipeline reads the value from the env_file at run time, so no secret is copied.
std::string reference(const EnvEntry* e);

/// A number from the .env, or `fallback` when missing or malformed (reported).
std::string numberOr(Migration& m, const EnvEntry* e, const char* fallback, bool wholeOnly);

/// Seconds from the .env ("900", or already "15m") as a pipeline duration, or the default (reported when malformed).
std::string durationOr(Migration& m, const EnvEntry* e, long long fallbackSeconds);

/// A comment saying the .env leaves `key` out so the script's default `value` applies; "" when it is set.
std::string defaultNote(const EnvEntry* e, const std::string& key, const std::string& value, int indent = 4);

}  // namespace watchdog
