#pragma once

#include "watchdog/ConfigError.h"

#include <memory>
#include <string>
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
    std::vector<ConfigNodePtr> items;    ///< Sequence
    std::vector<ConfigEntry> entries;    ///< Map, in file order

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
ConfigNodePtr parseYaml(const std::string& text, const std::string& fileName);

/// Reads and parses a file; a missing or unreadable file is a ConfigError naming it.
ConfigNodePtr parseYamlFile(const std::string& path);

}  // namespace watchdog
