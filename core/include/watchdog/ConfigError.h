#pragma once

#include <watchdog/Abi.h>

#include <stdexcept>
#include <string>

namespace watchdog {

/// A position in a configuration file, 1-based as editors show it; line 0 means "the whole file".
struct WATCHDOG_API SourceMark {
    std::string file;
    int line = 0;
    int column = 0;

    /// "FILE:LINE:COL" (or just "FILE" when line is 0).
    std::string toString() const;
};

/// A configuration problem; what() is the one line users see: "FILE:LINE:COL: message".
class WATCHDOG_API ConfigError : public std::runtime_error {
public:
    ConfigError(SourceMark mark, const std::string& message);

    /// Where the problem is.
    const SourceMark& mark() const { return mark_; }
    /// The message without the position.
    const std::string& message() const { return message_; }

private:
    SourceMark mark_;
    std::string message_;
};

}  // namespace watchdog
