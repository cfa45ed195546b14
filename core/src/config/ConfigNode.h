#pragma once

#include <watchdog/ConfigError.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace watchdog {

struct ConfigNode;
using ConfigNodePtr = std::shared_ptr<ConfigNode>;

/// A key of a mapping with its position and value.
struct ConfigEntry {
    std::string key;
    SourceMark keyMark;
    ConfigNodePtr value;
};

/// The pipeline file as a tree, with the position of every node; the only YAML representation
/// that leaves core/config.
struct ConfigNode {
    enum class Kind { Null, Scalar, Sequence, Map };

    Kind kind = Kind::Null;
    SourceMark mark;               ///< where the value starts
    SourceMark keyMark;            ///< where its key is, when it is a mapping value
    std::string raw;               ///< scalar text as written (before ${VAR})
    std::string value;             ///< scalar text after ${VAR} substitution
    bool fromEnvironment = false;  ///< value came (partly) from ${VAR}: never echo it
    bool unresolved = false;       ///< a ${VAR} in it could not be substituted (already reported)
    /// Each substituted value with the text it replaced ("hunter2", "${DB_PASS}"), so messages can
    /// show the variable instead of its value.
    std::vector<std::pair<std::string, std::string>> substitutions;
    std::vector<ConfigNodePtr> items;  ///< Sequence
    std::vector<ConfigEntry> entries;  ///< Map, in file order

    /// The value of a key in a Map, or nullptr.
    const ConfigNode* find(const std::string& key) const;
    /// The entry of a key in a Map, or nullptr.
    const ConfigEntry* findEntry(const std::string& key) const;
    /// "a mapping", "a list", "a value" or "empty", for messages.
    const char* kindName() const;
    /// True for Null nodes and empty scalars.
    bool isEmpty() const;
};

/// Parses YAML text into a tree; rejects duplicate keys and non-scalar keys. Throws ConfigError.
WATCHDOG_API ConfigNodePtr parseYaml(const std::string& text, const std::string& fileName);

/// The deepest nesting of mappings and lists a pipeline may have.
constexpr std::size_t maxConfigDepth = 64;

/// The largest pipeline or env_file read (1 MiB): a real one is a few KiB.
constexpr unsigned long long maxConfigFileBytes = 1ULL << 20;

/// The text of a regular file of at most maxConfigFileBytes; anything else (missing, a directory, a
/// FIFO, a device, too large) is a ConfigError naming the file. `what` names it ("a pipeline file").
std::string readConfigFile(const std::string& path, const std::string& what);

/// Reads and parses a file; a missing or unreadable file is a ConfigError naming it.
ConfigNodePtr parseYamlFile(const std::string& path);

}  // namespace watchdog
