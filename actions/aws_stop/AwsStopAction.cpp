#include "AwsStopAction.h"

#include "SigV4Signer.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <Poco/Logger.h>

namespace watchdog::aws_stop {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("watchdog.action.aws_stop"); }

}  // namespace

const OptionTable& AwsStopAction::declaredOptions() { return aws::ec2ActionOptions(); }

void AwsStopAction::configure(const Options& options) {
    settings_ = aws::readEc2ActionSettings(options, environment_, "aws_stop");
    client_ = std::make_unique<aws::Ec2Client>(settings_.ec2);
    steps_ = std::make_unique<aws::Ec2InstanceSteps>(settings_, *client_, "stopped");
}

Outcome AwsStopAction::execute(const Event&, const ActionContext& context) {
    try {
        return run(context);
    } catch (const std::exception& e) {
        return Outcome::failure("aws_stop " + settings_.instanceId + ": " + e.what(), {{"instance_id", settings_.instanceId}});
    }
}

Outcome AwsStopAction::run(const ActionContext& context) {
    const std::string& id = settings_.instanceId;
    const std::function<bool()> stopping = [&context] { return context.isStopping(); };
    const auto found = aws::resolveCredentials(settings_.credentials);
    if (!found.credentials) {
        if (!found.error.empty())
            return Outcome::failure("no usable AWS credentials for " + id + ": " + found.error, {{"instance_id", id}});
        if (context.dryRun)
            return Outcome::success(
                "would stop " + id + " (dry run): no AWS credentials to ask EC2 with (tried " + aws::joinTried(found.tried) + ")",
                {{"instance_id", id}, {"region", settings_.region}});
        return Outcome::failure("no AWS credentials found for " + id + " (tried " + aws::joinTried(found.tried) + ")",
                                {{"instance_id", id}});
    }
    const aws::AwsCredentials& creds = *found.credentials;
    logger().information("aws_stop " + id + ": using credentials from " + creds.source + " (key " + creds.accessKeyId + ")");
    aws::InstanceInfo info;
    Outcome failure;
    if (!steps_->describe(creds, stopping, info, failure)) return failure;
    if (context.dryRun) return dryRun(info, creds, stopping);
    return stop(info, creds, stopping);
}

// Describe first, so that a second run (a retry, a restart) finds the instance stopped and does
// nothing; StopInstances names the configured instance only.
Outcome AwsStopAction::stop(aws::InstanceInfo info, const aws::AwsCredentials& creds, const std::function<bool()>& stopping) {
    const std::string& id = settings_.instanceId;
    const auto deadline = std::chrono::steady_clock::now() + settings_.maxWait;
    Outcome failure;
    if (info.state == "stopped") return Outcome::success(id + " is already stopped: nothing to do", steps_->details(info));
    if (info.state == "terminated" || info.state == "shutting-down")
        return Outcome::success(id + " is " + info.state + ": nothing to stop", steps_->details(info));
    const std::string before = info.state;
    for (int attempt = 1; info.state != "stopping" && info.state != "stopped"; ++attempt) {
        // EC2 refuses to stop an instance that is still starting (IncorrectInstanceState).
        if (info.state == "pending") {
            logger().information("aws_stop " + id + ": instance is pending; waiting until it runs to stop it");
            if (!steps_->waitFor({"running"}, deadline, creds, stopping, info, failure)) return failure;
        }
        if (info.state != "running") return Outcome::failure(id + " is " + info.state + " and cannot be stopped", steps_->details(info));
        const auto reply = client_->send(client_->prepare("StopInstances", {{"InstanceId.1", id}}, creds, aws::amzDateNow()));
        if (reply.ok()) break;
        const bool wrongState = reply.code() == "IncorrectInstanceState";
        if ((!wrongState && !reply.retryable()) || attempt >= settings_.ec2.attempts) return steps_->explainFailure("StopInstances", reply);
        logger().warning("aws_stop " + id + ": StopInstances: " + reply.describe() + "; describing again before retrying");
        if (!aws::pauseUnlessStopping(std::min(settings_.ec2.backoff * attempt, std::chrono::milliseconds(20000)), stopping))
            return Outcome::failure("gave up stopping " + id + ": the watchdog is stopping", steps_->details(info));
        if (!steps_->describe(creds, stopping, info, failure)) return failure;
    }
    logger().information("aws_stop " + id + ": StopInstances accepted (was " + before + "); waiting until stopped");
    if (!steps_->waitFor({"stopped"}, deadline, creds, stopping, info, failure)) {
        if (stopping())
            return Outcome::success("stopping " + id + " (was " + before + "); stopped waiting because the watchdog is stopping",
                                    steps_->details(info));
        return Outcome::failure("asked " + id + " to stop (was " + before + ") but " + failure.summary, steps_->details(info));
    }
    return Outcome::success("stopped " + id + " (was " + before + ")", steps_->details(info));
}

// EC2's own dry run: StopInstances with DryRun=true answers DryRunOperation when it would be allowed.
Outcome AwsStopAction::dryRun(const aws::InstanceInfo& info, const aws::AwsCredentials& credentials,
                              const std::function<bool()>& stopping) const {
    const std::string& id = settings_.instanceId;
    const bool wouldStop = info.state == "running" || info.state == "pending";
    const std::string plan = (wouldStop ? "would stop " : "would not stop ") + id + " (dry run): it is " + info.state;
    if (!wouldStop) return Outcome::success(plan, steps_->details(info));
    const auto reply = client_->call("StopInstances", {{"InstanceId.1", id}, {"DryRun", "true"}}, credentials, stopping);
    Details d = steps_->details(info);
    if (reply.code() == "DryRunOperation") {
        d.emplace_back("dry_run", "allowed");
        return Outcome::success(plan + " and StopInstances would be allowed", d);
    }
    if (reply.code() == "UnauthorizedOperation") {
        d.emplace_back("dry_run", "denied");
        return Outcome::failure(plan + ", but StopInstances would be denied: " + reply.error->message, d);
    }
    Outcome failure = steps_->explainFailure("StopInstances (DryRun)", reply);
    failure.summary = plan + ", but " + failure.summary;
    return failure;
}

}  // namespace watchdog::aws_stop

WATCHDOG_ACTION_PLUGIN(watchdog::aws_stop::AwsStopAction)
