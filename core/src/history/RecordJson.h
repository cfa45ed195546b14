#pragma once

#include <watchdog/Record.h>
#include <watchdog/RecordLine.h>

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

namespace watchdog {

// The Poco::JSON side of the record line format (watchdog/RecordLine.h, the public part).

/// The record as a JSON object (keys in RecordLine.h's order).
Poco::JSON::Object::Ptr recordToJson(const Record& record);
/// The inverse of recordToJson; throws std::runtime_error naming the bad field.
Record recordFromJson(const Poco::JSON::Object::Ptr& object);

}  // namespace watchdog
