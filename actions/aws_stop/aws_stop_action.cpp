#include "aws_stop_action.h"

#include "SigV4Signer.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <Poco/Logger.h>

namespace watchdog {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("watchdog.action.aws_stop"); }

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
    return out;
}

}  // namespace

void AwsStopAction::configure(const Options& options) {
    settings_ = aws::readEc2ActionSettings(options, environment_, "aws_stop");
    client_ = std::make_unique<aws::Ec2Client>(settings_.ec2);
}

Details AwsStopAction::details(const aws::InstanceInfo& info) const {
    return {{"instance_id", settings_.instanceId}, {"state", info.state}, {"region", settings_.region}};
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
            return Outcome::success("would stop " + id + " (dry run): no AWS credentials to ask EC2 with (tried " + join(found.tried, "; ") + ")",
                                    {{"instance_id", id}, {"region", settings_.region}});
        return Outcome::failure("no AWS credentials found for " + id + " (tried " + join(found.tried, "; ") + ")", {{"instance_id", id}});
    }
    const aws::AwsCredentials& creds = *found.credentials;
    logger().information("aws_stop " + id + ": using credentials from " + creds.source + " (key " + creds.accessKeyId + ")");
    aws::InstanceInfo info;
    Outcome failure;
    if (!describe(creds, stopping, info, failure)) return failure;
    if (context.dryRun) return dryRun(info, creds, stopping);
    return stop(info, creds, stopping);
}

// Describe first, so that a second run (a retry, a restart) finds the instance stopped and does
// nothing; StopInstances names the configured instance only.
Outcome AwsStopAction::stop(aws::InstanceInfo info, const aws::AwsCredentials& creds, const std::function<bool()>& stopping) {
    const std::string& id = settings_.instanceId;
    const auto deadline = std::chrono::steady_clock::now() + settings_.maxWait;
    Outcome failure;
    if (info.state == "stopped") return Outcome::success(id + " is already stopped: nothing to do", details(info));
    if (info.state == "terminated" || info.state == "shutting-down")
        return Outcome::success(id + " is " + info.state + ": nothing to stop", details(info));
    const std::string before = info.state;
    for (int attempt = 1; info.state != "stopping" && info.state != "stopped"; ++attempt) {
        // EC2 refuses to stop an instance that is still starting (IncorrectInstanceState).
        if (info.state == "pending") {
            logger().information("aws_stop " + id + ": instance is pending; waiting until it runs to stop it");
            if (!waitFor({"running"}, deadline, creds, stopping, info, failure)) return failure;
        }
        if (info.state != "running") return Outcome::failure(id + " is " + info.state + " and cannot be stopped", details(info));
        const auto reply = client_->send(client_->prepare("StopInstances", {{"InstanceId.1", id}}, creds, aws::amzDateNow()));
        if (reply.ok()) break;
        const bool wrongState = reply.code() == "IncorrectInstanceState";
        if ((!wrongState && !reply.retryable()) || attempt >= settings_.ec2.attempts) return explainFailure("StopInstances", reply);
        logger().warning("aws_stop " + id + ": StopInstances: " + reply.describe() + "; describing again before retrying");
        if (!aws::pauseUnlessStopping(std::min(settings_.ec2.backoff * attempt, std::chrono::milliseconds(20000)), stopping))
            return Outcome::failure("gave up stopping " + id + ": the watchdog is stopping", details(info));
        if (!describe(creds, stopping, info, failure)) return failure;
    }
    logger().information("aws_stop " + id + ": StopInstances accepted (was " + before + "); waiting until stopped");
    if (!waitFor({"stopped"}, deadline, creds, stopping, info, failure)) {
        if (stopping()) return Outcome::success("stopping " + id + " (was " + before + "); stopped waiting because the watchdog is stopping", details(info));
        return Outcome::failure("asked " + id + " to stop (was " + before + ") but " + failure.summary, details(info));
    }
    return Outcome::success("stopped " + id + " (was " + before + ")", details(info));
}

bool AwsStopAction::describe(const aws::AwsCredentials& credentials, const std::function<bool()>& stopping, aws::InstanceInfo& info,
                             Outcome& failure) const {
    const auto reply = client_->call("DescribeInstances", {{"InstanceId.1", settings_.instanceId}}, credentials, stopping);
    if (!reply.ok()) {
        failure = explainFailure("DescribeInstances", reply);
        return false;
    }
    try {
        for (const auto& i : aws::parseDescribeInstances(reply.body))
            if (i.instanceId == settings_.instanceId) {
                info = i;
                return true;
            }
    } catch (const std::exception& e) {
        failure = Outcome::failure("DescribeInstances for " + settings_.instanceId + ": " + e.what(), {{"instance_id", settings_.instanceId}});
        return false;
    }
    failure = Outcome::failure(settings_.instanceId + " is not visible in " + settings_.region + " with these credentials (check instance_id and region)",
                               {{"instance_id", settings_.instanceId}});
    return false;
}

bool AwsStopAction::waitFor(const std::set<std::string>& targets, std::chrono::steady_clock::time_point deadline,
                            const aws::AwsCredentials& credentials, const std::function<bool()>& stopping, aws::InstanceInfo& info,
                            Outcome& failure) const {
    while (!targets.count(info.state)) {
        if (info.state == "terminated" || info.state == "shutting-down") {
            failure = Outcome::failure(settings_.instanceId + " is " + info.state, details(info));
            return false;
        }
        if (std::chrono::steady_clock::now() + settings_.pollInterval > deadline) {
            failure = Outcome::failure(settings_.instanceId + " was still " + info.state + " after " + human::duration(settings_.maxWait) +
                                           " (max_wait)", details(info));
            return false;
        }
        if (!aws::pauseUnlessStopping(settings_.pollInterval, stopping)) {
            failure = Outcome::failure("stopped waiting for " + settings_.instanceId + ": the watchdog is stopping", details(info));
            return false;
        }
        if (!describe(credentials, stopping, info, failure)) return false;
    }
    return true;
}

Outcome AwsStopAction::explainFailure(const std::string& action, const aws::Ec2Reply& reply) const {
    const std::string& id = settings_.instanceId;
    const std::string code = reply.code();
    const std::string tries = reply.attempts > 1 ? " after " + std::to_string(reply.attempts) + " attempts" : "";
    std::string summary;
    if (reply.interrupted) summary = action + " for " + id + " gave up (the watchdog is stopping): " + reply.describe();
    else if (!reply.transportError.empty()) summary = "cannot reach EC2 at " + settings_.ec2.endpoint + tries + ": " + reply.transportError;
    else if (code == "UnauthorizedOperation") summary = "not allowed to call " + action + " on " + id + ": " + reply.error->message;
    else if (code == "InvalidInstanceID.NotFound")
        summary = id + " does not exist in region " + settings_.region + " (InvalidInstanceID.NotFound; check instance_id and region)";
    else if (code == "IncorrectInstanceState") summary = id + " is not in a state from which it can be stopped (IncorrectInstanceState)";
    else if (code == "AuthFailure" || code == "SignatureDoesNotMatch" || code == "InvalidClientTokenId" || code == "RequestExpired")
        summary = "EC2 rejected the credentials for " + action + " (" + code + "): check the access key id, the secret and the clock";
    else if (reply.retryable()) summary = "EC2 " + action + " for " + id + " kept failing" + tries + ": " + reply.describe();
    else summary = "EC2 " + action + " for " + id + " failed: " + reply.describe();
    Details d{{"instance_id", id}};
    if (!code.empty()) d.emplace_back("error", code);
    if (reply.error && !reply.error->requestId.empty()) d.emplace_back("request_id", reply.error->requestId);
    return Outcome::failure(summary, d);
}

// EC2's own dry run: StopInstances with DryRun=true answers DryRunOperation when it would be allowed.
Outcome AwsStopAction::dryRun(const aws::InstanceInfo& info, const aws::AwsCredentials& credentials,
                              const std::function<bool()>& stopping) const {
    const std::string& id = settings_.instanceId;
    const bool wouldStop = info.state == "running" || info.state == "pending";
    const std::string plan = (wouldStop ? "would stop " : "would not stop ") + id + " (dry run): it is " + info.state;
    if (!wouldStop) return Outcome::success(plan, details(info));
    const auto reply = client_->call("StopInstances", {{"InstanceId.1", id}, {"DryRun", "true"}}, credentials, stopping);
    Details d = details(info);
    if (reply.code() == "DryRunOperation") {
        d.emplace_back("dry_run", "allowed");
        return Outcome::success(plan + " and StopInstances would be allowed", d);
    }
    if (reply.code() == "UnauthorizedOperation") {
        d.emplace_back("dry_run", "denied");
        return Outcome::failure(plan + ", but StopInstances would be denied: " + reply.error->message, d);
    }
    Outcome failure = explainFailure("StopInstances (DryRun)", reply);
    failure.summary = plan + ", but " + failure.summary;
    return failure;
}

}  // namespace watchdog

WATCHDOG_ACTION_PLUGIN(watchdog::AwsStopAction)
