#pragma once

#include "AwsCredentials.h"
#include "Ec2ActionSettings.h"
#include "Ec2Client.h"
#include "Ec2InstanceSteps.h"

#include <watchdog/Action.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace watchdog::aws_start {

/// Remedy: starts the backup EC2 instance through the EC2 Query API (describe first, start only a
/// stopped instance, wait until it runs, report its addresses), at most once per incident.
class AwsStartAction : public Action {
public:
    /// Reads instance_id, region, endpoint, credentials and timing options.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them (aws_start and aws_stop share them).
    static const OptionTable& declaredOptions();
    /// Always ActionRole::Remedy.
    ActionRole role() const override { return ActionRole::Remedy; }
    /// Describes, starts if stopped (or stopping, after it stops), polls until running.
    Outcome execute(const Event& event, const ActionContext& context) override;

    /// Replaces the environment reader (tests); configure() reads it for the region, execute() for credentials.
    void setEnvironment(aws::EnvironmentReader environment) { environment_ = std::move(environment); }
    /// The region in use: the option, or what configure() found in the AWS CLI's chain.
    const std::string& region() const { return settings_.region; }

private:
    using Settings = aws::Ec2ActionSettings;

    Outcome run(const Event& event, const ActionContext& context);
    Outcome dryRunWithoutCredentials(const aws::CredentialResult& result) const;
    Outcome dryRun(const aws::InstanceInfo& info, const aws::AwsCredentials& credentials, const std::function<bool()>& stopping) const;

    Settings settings_;
    std::unique_ptr<aws::Ec2Client> client_;
    std::unique_ptr<aws::Ec2InstanceSteps> steps_;  // over settings_ and client_
    aws::EnvironmentReader environment_ = aws::processEnvironment();
    std::mutex mutex_;
    std::set<std::string> startedIncidents_;
};

}  // namespace watchdog::aws_start
