#pragma once

// The options aws_start and aws_stop share: which instance, where (region and endpoint), how to
// authenticate, and how long to wait for it. Read once, the same way, by both.

#include "AwsCredentials.h"
#include "Ec2Client.h"

#include <watchdog/OptionTable.h>

#include <chrono>
#include <string>

namespace watchdog::aws {

/// One EC2 instance action's settings.
struct Ec2ActionSettings {
    std::string instanceId;                        ///< `instance_id`: i- and 8 or 17 hex digits
    std::string region;                            ///< `region`, or found as the AWS CLI finds it
    Ec2Settings ec2;                               ///< endpoint, timeout, attempts, backoff
    CredentialSources credentials;                 ///< where the credential chain looks
    std::chrono::milliseconds pollInterval{5000};  ///< `poll_interval`: describes while waiting
    std::chrono::milliseconds maxWait{300000};     ///< `max_wait`: for the instance to reach its state
};

/// Reads instance_id, region (with the AWS CLI's chain when absent), endpoint, credentials and
/// timing options; `plugin` names the action in the log. Throws ConfigError through `options`.
/// The options aws_start and aws_stop read, as their READMEs list them.
const OptionTable& ec2ActionOptions();

Ec2ActionSettings readEc2ActionSettings(const Options& options, const EnvironmentReader& environment, const std::string& plugin);

/// " at 203.0.113.7 (private 10.0.0.7)": where an instance can be reached, for summaries.
std::string instanceAddress(const InstanceInfo& info);

}  // namespace watchdog::aws
