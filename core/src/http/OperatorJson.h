#pragma once

#include "engine/EngineStatus.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace watchdog {

// The JSON of the operator's requests (POST /maintenance, POST /ack) and of the maintenance and
// acknowledgement fields that /status shows.

/// Reads {"duration":"1h","check"?,"rule"?,"reason"?,"by"?} or {"end":true,"check"?,"rule"?,"by"?};
/// `by` defaults to "http". Throws OperatorRequestRefused (BadInput) with one line naming the field.
MaintenanceRequest parseMaintenanceBody(const std::string& body, TimePoint now);
/// Reads {"rule"?,"reason"?,"by"?}; an empty body is {}. Throws OperatorRequestRefused (BadInput).
AckRequest parseAckBody(const std::string& body, TimePoint now);

/// [{"scope","id","until","started","reason","by","failed":[...]}], as /status shows them.
Poco::JSON::Array::Ptr maintenanceJson(const std::vector<MaintenanceWindow>& windows);
/// {"by","reason","at"}.
Poco::JSON::Object::Ptr acknowledgementJson(const Acknowledgement& ack);
/// The answer to POST /maintenance: {"maintenance":[...]}.
std::string renderMaintenanceReply(const std::vector<MaintenanceWindow>& windows);
/// The answer to POST /ack: {"rule","incident","acknowledged":{...}}.
std::string renderAckReply(const AckReply& reply);

}  // namespace watchdog
