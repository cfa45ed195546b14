#pragma once

#include <watchdog/Abi.h>

#include <watchdog/ConfigError.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace watchdog {

struct ConfigNode;

/// One plugin's block of the pipeline file (a YAML mapping), with typed getters.
///
/// Every getter throws ConfigError naming FILE:LINE:COL and the dotted key ("checks.ts_age.max_age")
/// when the value has the wrong type; in a block that collects problems (the core's blocks do), the
/// getter records the problem and returns its fallback instead, so one pass finds every problem. Getters without a fallback also throw when the key is missing
/// or empty. Every key a getter asks for counts as known; after configure() the core reports keys in
/// the block that no getter asked for as unknown, with a did-you-mean. Values that came from ${VAR}
/// are never echoed in messages.
class WATCHDOG_API Options {
public:
    /// An empty block (every optional getter returns its fallback).
    Options();
    /// Wraps a mapping node; `where` is the dotted path of the block ("checks.icecast").
    Options(std::shared_ptr<const ConfigNode> map, std::string where, std::string baseDirectory);

    /// The dotted path of this block, e.g. "checks.icecast".
    const std::string& where() const { return where_; }
    /// True if the key is present with a non-empty value.
    bool has(const std::string& key) const;

    /// A required string.
    std::string string(const std::string& key) const;
    /// An optional string.
    std::string string(const std::string& key, const std::string& fallback) const;
    /// A required secret: like string(), but documents that the value must never be logged.
    std::string secret(const std::string& key) const;
    /// An optional secret.
    std::string secret(const std::string& key, const std::string& fallback) const;
    /// A required whole number in [min, max] (decimal; "010" is ten, never octal).
    long long integer(const std::string& key, long long min = LLONG_MIN_, long long max = LLONG_MAX_) const;
    /// An optional whole number in [min, max].
    long long integer(const std::string& key, long long fallback, long long min, long long max) const;
    /// A required number in [min, max].
    double number(const std::string& key, double min = -1e300, double max = 1e300) const;
    /// An optional number in [min, max].
    double number(const std::string& key, double fallback, double min, double max) const;
    /// A required boolean (true/false, yes/no, on/off).
    bool boolean(const std::string& key) const;
    /// An optional boolean.
    bool boolean(const std::string& key, bool fallback) const;
    /// A required duration ("500ms", "300s", "15m", "1h").
    std::chrono::milliseconds duration(const std::string& key) const;
    /// An optional duration.
    std::chrono::milliseconds duration(const std::string& key, std::chrono::milliseconds fallback) const;
    /// A required byte size ("512K", "10M").
    unsigned long long size(const std::string& key) const;
    /// An optional byte size.
    unsigned long long size(const std::string& key, unsigned long long fallback) const;
    /// A list of strings; a single scalar is a list of one. Missing gives the fallback.
    std::vector<std::string> stringList(const std::string& key, const std::vector<std::string>& fallback = {}) const;
    /// A required file system path, resolved against the pipeline file's folder when relative.
    std::string path(const std::string& key) const;
    /// An optional path; a non-empty fallback is resolved the same way.
    std::string path(const std::string& key, const std::string& fallback) const;
    /// One of the allowed words (e.g. "sum" or "oldest"); anything else is an error listing them.
    std::string choice(const std::string& key, const std::vector<std::string>& allowed, const std::string& fallback) const;
    /// A nested mapping as Options of its own (empty if missing); its keys are checked for unknowns too.
    Options child(const std::string& key) const;

    /// Throws ConfigError at the key's position (or the block's when absent): "where.key: message".
    /// Where configure can go on past the problem, report() lets one pass find the rest too.
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;
    /// Like fail(), but a block that collects problems records it and carries on.
    void report(const std::string& key, const std::string& message) const;
    /// The message with every value this block took from ${VAR} (of four characters or more) shown
    /// as the ${VAR} it came from; fail() and report() apply it, plugins may for their own lines.
    std::string withoutSecrets(std::string message) const;
    /// "FILE:LINE:COL" of the key's value, or of the block when absent.
    std::string location(const std::string& key) const;
    /// The folder relative paths are resolved against.
    const std::string& baseDirectory() const { return baseDirectory_; }

    /// The same block read afresh: its own known keys and its own problems (collected), so that reading
    /// it leaves this block's untouched.
    Options freshReading() const;

    /// Marks keys as known without reading them (core keys such as plugin, label, interval).
    void markKnown(const std::vector<std::string>& keys) const;
    /// Throws ConfigError for the first key no getter asked for, with a did-you-mean.
    void rejectUnknownKeys() const;

    /// From now on getters and report() of this block and its children record problems instead of
    /// throwing them.
    void collectProblems();
    /// The problems recorded so far, in the order met.
    std::vector<ConfigError> recordedProblems() const;
    /// A problem for each key (here and in children) no getter asked for, with a did-you-mean; with
    /// `before`, only keys placed before that mark (a configure that stopped there never asked for
    /// the keys after it).
    std::vector<ConfigError> unknownKeys(const SourceMark* before = nullptr) const;

    static constexpr long long LLONG_MIN_ = -9223372036854775807LL - 1;
    static constexpr long long LLONG_MAX_ = 9223372036854775807LL;

private:
    const ConfigNode* lookup(const std::string& key) const;
    const ConfigNode& required(const std::string& key) const;
    std::string display(const ConfigNode& node) const;

    std::shared_ptr<const ConfigNode> map_;
    std::string where_;
    std::string baseDirectory_;
    std::shared_ptr<std::set<std::string>> known_;
    std::shared_ptr<std::vector<Options>> children_;
    std::shared_ptr<std::vector<ConfigError>> problems_;  ///< null: getters throw
};

}  // namespace watchdog
