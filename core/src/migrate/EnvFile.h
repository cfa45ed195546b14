#pragma once

#include <map>
#include <string>
#include <vector>

namespace watchdog {

/// One KEY=VALUE line of an old-style .env file.
struct EnvEntry {
    std::string key;
    std::string value;                  ///< unquoted, as the pipeline's env_file reader will see it
    int line = 0;                       ///< 1-based
    std::vector<std::string> comments;  ///< the comment lines right above it, without the leading '#'
    std::string inlineComment;          ///< text after a blank and '#' on the same line
};

/// What the lenient reader found: entries in file order (a key set twice keeps its last value, as
/// env_file does) and one message per line it could not take or that reads oddly.
struct EnvFile {
    std::vector<EnvEntry> entries;
    std::vector<std::string> problems;  ///< "line 7: ..." lines that make env_file refuse the file
    std::vector<std::string> notes;     ///< "line 9: ..." lines env_file accepts but that may not mean what was meant
    /// The entry for `key`, or nullptr.
    const EnvEntry* find(const std::string& key) const;
};

/// Reads a .env the way core/config's env_file reader does (KEY=VALUE, `export `, '...' or "..."
/// quotes without escapes, comments after a space or tab and '#', "KEY= # comment" empty, a leading UTF-8 byte order mark
/// ignored), but never stops at a bad line: it reports it instead.
EnvFile parseEnvText(const std::string& text);

/// Why `text` is no .env at all: binary data (NUL bytes, not UTF-8, control characters), no
/// KEY=VALUE line, or more other lines than settings. "" when it reads as a .env.
std::string notAnEnvFile(const std::string& text, const EnvFile& parsed);

}  // namespace watchdog
