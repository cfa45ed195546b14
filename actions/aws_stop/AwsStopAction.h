#pragma once

#include "AwsCredentials.h"
#include "Ec2ActionSettings.h"
#include "Ec2Client.h"
#include "Ec2InstanceSteps.h"

#include <watchdog/Action.h>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace watchdog::aws_stop {

/// Remedy: stops the backup EC2 instance through the EC2 Query API, typically as a rule's
/// `failback` action: describe first (a stopped instance is left alone), StopInstances naming only
/// the configured instance, then describe until it is stopped. The counterpart of aws_start.
class AwsStopAction : public Action {
public:
    /// Reads the options aws_start reads: instance_id, region, endpoint, credentials, timing.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them (aws_start and aws_stop share them).
    static const OptionTable& declaredOptions();
    /// Always ActionRole::Remedy.
    ActionRole role() const override { return ActionRole::Remedy; }
    /// Describes, stops if running (after it runs, if pending), polls until stopped.
    Outcome execute(const Event& event, const ActionContext& context) override;

    /// Replaces the environment reader (tests); configure() reads it for the region, execute() for credentials.
    void setEnvironment(aws::EnvironmentReader environment) { environment_ = std::move(environment); }

private:
    Outcome run(const ActionContext& context);
    Outcome stop(aws::InstanceInfo info, const aws::AwsCredentials& credentials, const std::function<bool()>& stopping);
    Outcome dryRun(const aws::InstanceInfo& info, const aws::AwsCredentials& credentials, const std::function<bool()>& stopping) const;

    aws::Ec2ActionSettings settings_;
    std::unique_ptr<aws::Ec2Client> client_;
    std::unique_ptr<aws::Ec2InstanceSteps> steps_;  // over settings_ and client_
    aws::EnvironmentReader environment_ = aws::processEnvironment();
};

}  // namespace watchdog::aws_stop
