#pragma once

// Text made safe for a column. MariaDB in strict mode refuses a whole INSERT for one value a column
// cannot hold (an invalid UTF-8 byte, a character outside the column's character set, a string too
// long), which would block the batch, and the spool behind it, forever.

#include <string>

namespace watchdog::mysql {

/// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string validUtf8(const std::string& s);
/// validUtf8(s) cut to at most `chars` characters (VARCHAR(n) counts characters).
std::string fitted(const std::string& s, std::size_t chars);
/// validUtf8(s) cut to at most `bytes` bytes without splitting a character (TEXT holds 65535 bytes).
std::string clipped(const std::string& s, std::size_t bytes);
/// validUtf8(text) with the characters a column of `charset` cannot hold replaced: '?' for latin1 (and
/// unknown sets, which keep ASCII only), U+FFFD for utf8mb3 (no 4-byte characters); utf8mb4 unchanged.
std::string forCharset(const std::string& text, const std::string& charset);

}  // namespace watchdog::mysql
