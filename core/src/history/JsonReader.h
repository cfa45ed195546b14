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
    std::string text;                                        ///< String: the value; Number: as written
    std::vector<JsonValue> items;                            ///< Array
    std::vector<std::pair<std::string, JsonValue>> members;  ///< Object, in document order

    /// The member called `key`, or nullptr (objects only).
    const JsonValue* find(const std::string& key) const;
};

/// Deepest nesting of arrays and objects parseJson accepts (a record nests 3 levels).
inline constexpr int kMaxJsonDepth = 64;

/// Parses one JSON document (the whole text, whitespace around it allowed); throws
/// std::runtime_error("... at byte N") on malformed or too deeply nested input. Several times faster than Poco::JSON for
/// record lines, which the spool replays by the hundred thousand.
JsonValue parseJson(const std::string& text);

}  // namespace watchdog
