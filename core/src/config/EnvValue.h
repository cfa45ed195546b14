#pragma once

#include <string>

namespace watchdog {

/// The value of one .env line (the text after its '='), read as env_file and migrate-env read it.
struct EnvValue {
    std::string value;          ///< unquoted; "" for "KEY= # comment"
    std::string comment;        ///< an inline comment without its '#', trimmed; "" for none
    char quote = '\0';          ///< '"' or '\'' when the value was quoted
    bool unterminated = false;  ///< an opening quote without a closing one (value is then "")
    bool escapedQuote = false;  ///< double quotes closed by \" (env_file has no escapes: it ends there)
    std::string ignored;        ///< text after the closing quote that is no comment (dropped)
    bool leadingHash = false;   ///< unquoted and starting with '#' right after '=': "KEY=#x" is "#x"
};

/// Reads `afterEquals` as python-dotenv reads a value: '...' or "..." quoted without escapes, or
/// unquoted up to the first '#' that follows whitespace (space or tab), so "True\t# on" is "True" and
/// "a#b" stays "a#b"; "KEY= # comment" is empty.
EnvValue parseEnvValue(const std::string& afterEquals);

}  // namespace watchdog
