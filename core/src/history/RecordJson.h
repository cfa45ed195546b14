#pragma once

#include "watchdog/Record.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

namespace watchdog {

// One JSON shape for a Record, shared by the spool, the jsonl sink and `history --json`. Field names
// are stable (users parse them): kind, seq, time, pipeline, check, label, status, summary, value,
// unit, details{}, duration_ms, event{type, rule, incident, summary, failing[], deadline,
// duration_ms, action, ok, details{}}. Event check snapshots are not stored.

/// The record as a JSON object (keys in the order above).
Poco::JSON::Object::Ptr recordToJson(const Record& record);
/// The record as one compact line of JSON (no newline).
std::string recordToJsonLine(const Record& record);
/// The inverse of recordToJson; throws std::runtime_error naming the bad field.
Record recordFromJson(const Poco::JSON::Object::Ptr& object);
/// Parses one line written by recordToJsonLine; throws std::runtime_error on bad JSON or fields.
Record recordFromJsonLine(const std::string& line);
/// "pass", "fail" or "error" back to a Status; nullopt for anything else.
std::optional<Status> statusFromString(const std::string& word);
/// Parses "2026-11-24T03:00:00.123Z" (the milliseconds are optional); nullopt if malformed.
std::optional<TimePoint> parseIso8601(const std::string& text);

}  // namespace watchdog
