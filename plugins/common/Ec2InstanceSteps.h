#pragma once

// The steps aws_start and aws_stop take on their one configured instance, written once: describe
// it, wait for a state, and put EC2's errors in the words of the action ("started", "stopped").

#include "Ec2ActionSettings.h"

#include <watchdog/Action.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>

namespace watchdog::aws {

/// One instance action's view of EC2: the settings, the client and what the action does to it.
class Ec2InstanceSteps {
public:
    /// `participle` is what the action does to the instance, as in "cannot be started".
    Ec2InstanceSteps(const Ec2ActionSettings& settings, const Ec2Client& client, std::string participle);

    /// DescribeInstances for the configured instance into `info`; false with `failure` set when EC2
    /// refused, the answer could not be read or the instance is not visible.
    bool describe(const AwsCredentials& credentials, const std::function<bool()>& stopping, InstanceInfo& info, Outcome& failure) const;
    /// Describes every poll_interval until the instance is in one of `targets`; false with `failure`
    /// set when it is terminated, the deadline (max_wait) passes, or the watchdog is stopping.
    bool waitFor(const std::set<std::string>& targets, std::chrono::steady_clock::time_point deadline, const AwsCredentials& credentials,
                 const std::function<bool()>& stopping, InstanceInfo& info, Outcome& failure) const;
    /// The failure EC2's `reply` to `action` ("StartInstances", "DescribeInstances") means, in words.
    Outcome explainFailure(const std::string& action, const Ec2Reply& reply) const;
    /// instance_id, state, public_ip and private_ip (when known), region.
    Details details(const InstanceInfo& info) const;

private:
    const Ec2ActionSettings& settings_;
    const Ec2Client& client_;
    std::string participle_;
};

/// "a; b; c".
std::string joinTried(const std::vector<std::string>& parts);

}  // namespace watchdog::aws
