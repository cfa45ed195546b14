#pragma once

#include <watchdog/Abi.h>
#include <watchdog/Record.h>

#include <optional>
#include <string>

namespace watchdog {

// The record line format: one JSON object per record, shared by the spool, the jsonl, sqlite and
// mysql sinks and `history --json`. Field names are stable (users parse them): kind, seq, time,
// pipeline, check, label, status, summary, value, unit, details{}, duration_ms, event{type, rule,
// incident, summary, failing[], deadline, duration_ms, action, ok, details{}}. Covered by the ABI
// version: a sink built against another format is refused by the loader.

/// The record as one compact line of JSON (no newline).
WATCHDOG_API std::string recordToJsonLine(const Record& record);
/// Parses one line written by recordToJsonLine; throws std::runtime_error on bad JSON or fields.
WATCHDOG_API Record recordFromJsonLine(const std::string& line);
/// "pass", "fail" or "error" back to a Status; nullopt for anything else.
WATCHDOG_API std::optional<Status> statusFromString(const std::string& word);
/// Parses "2026-11-24T03:00:00.123Z" (the milliseconds are optional); nullopt if malformed.
WATCHDOG_API std::optional<TimePoint> parseIso8601(const std::string& text);

}  // namespace watchdog
