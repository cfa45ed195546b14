#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace watchdog {

/// A parsed JSON value. Numbers keep their text so 64-bit integers lose no precision.
struct JsonValue {
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    std::string text;                                         ///< String: the value; Number: as written
    std::vector<JsonValue> items;                             ///< Array
    std::vector<std::pair<std::string, JsonValue>> members;  ///< Object, in document order

    /// The member called `key`, or nullptr (objects only).
    const JsonValue* find(const std::string& key) const;
};

/// Parses one JSON document (the whole text, whitespace around it allowed); throws
/// std::runtime_error("... at byte N") on malformed input. Several times faster than Poco::JSON for
/// record lines, which the spool replays by the hundred thousand.
JsonValue parseJson(const std::string& text);

}  // namespace watchdog
