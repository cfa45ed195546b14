#pragma once

#include <string>

namespace watchdog {

// Text that reaches the status server from outside (check summaries carrying mount names and stream
// titles, error texts, request targets) may hold control characters: a newline forges a log line,
// an escape sequence rewrites the operator's terminal. These make such text inert where the HTTP
// layer writes it: its log lines, its JSON, its Prometheus text.

/// `text` with every character that could break a log line shown instead as an escape: C0 controls
/// and DEL ("\n", "\r", "\t", "\x1b"), C1 controls ("\u009b"), the line and paragraph separators
/// and the bidirectional overrides ("\u2028", "\u202e"); bytes that are not UTF-8 as "\xff".
/// Printable text (any script) passes unchanged.
std::string escapeForLog(const std::string& text);

/// Stringified JSON (Poco escapes only C0 controls) made safe for any reader: DEL, C1 controls and
/// the line and paragraph separators become \u escapes, bytes that are not UTF-8 become \ufffd. JSON
/// structure is ASCII, so only string contents change.
std::string escapeJsonText(const std::string& json);

/// The characters escapeForLog escapes as a code point (C0, DEL, C1, separators, bidi overrides).
bool isUnsafeCodePoint(char32_t c);

/// Decodes one UTF-8 sequence at `at`; returns its length, or 0 if the bytes there are not UTF-8
/// (overlong forms, surrogates and values over U+10FFFF included).
std::size_t decodeUtf8(const std::string& text, std::size_t at, char32_t& codePoint);

}  // namespace watchdog
