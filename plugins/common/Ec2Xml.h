#pragma once

// Reading EC2 Query API answers (protocols.md 3.2 and 3.3): elements are matched by name, never by
// position, because the service model says their order may vary. They are read as SAX events into a
// small tree that refuses nesting deeper than 64 levels, so a hostile endpoint cannot exhaust the stack.

#include <optional>
#include <string>
#include <vector>

namespace watchdog::aws {

/// One instance as DescribeInstances reports it.
struct InstanceInfo {
    std::string instanceId;  ///< "i-0abc..."
    std::string state;       ///< "pending", "running", "stopping", "stopped", "shutting-down", "terminated"
    int stateCode = -1;      ///< low byte of the state code (16 = running)
    std::string publicIp;    ///< ipAddress; empty when it has none
    std::string privateIp;   ///< privateIpAddress
};

/// One state change as StartInstances reports it.
struct StateChange {
    std::string instanceId;     ///< the instance
    std::string currentState;   ///< currentState/name
    std::string previousState;  ///< previousState/name
};

/// An EC2 error document: Response/Errors/Error/{Code,Message} and RequestID.
struct Ec2Error {
    std::string code;       ///< "UnauthorizedOperation"
    std::string message;    ///< the service's text
    std::string requestId;  ///< RequestID (capital ID in error bodies)
};

/// Parses an error body; nullopt if it is not one.
std::optional<Ec2Error> parseEc2Error(const std::string& xml);
/// Parses a DescribeInstancesResponse into its instances; throws std::runtime_error on a malformed body.
std::vector<InstanceInfo> parseDescribeInstances(const std::string& xml);
/// Parses a StartInstancesResponse; throws std::runtime_error on a malformed body.
std::vector<StateChange> parseStartInstances(const std::string& xml);

}  // namespace watchdog::aws
