#include "AwsStartAction.h"

#include "SigV4Signer.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <Poco/Logger.h>

namespace watchdog::aws_start {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("watchdog.action.aws_start"); }

// AWS's documented example key pair: only used to show the shape of a request in a dry run
// without credentials; it cannot authenticate anything.
const char* kExampleKeyId = "AKIAIOSFODNN7EXAMPLE";
const char* kExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

std::string where(const aws::InstanceInfo& info) { return aws::instanceAddress(info); }

}  // namespace

const OptionTable& AwsStartAction::declaredOptions() { return aws::ec2ActionOptions(); }

void AwsStartAction::configure(const Options& options) {
    settings_ = aws::readEc2ActionSettings(options, environment_, "aws_start");
    client_ = std::make_unique<aws::Ec2Client>(settings_.ec2);
    steps_ = std::make_unique<aws::Ec2InstanceSteps>(settings_, *client_, "started");
}

Outcome AwsStartAction::execute(const Event& event, const ActionContext& context) {
    try {
        return run(event, context);
    } catch (const std::exception& e) {
        return Outcome::failure("aws_start " + settings_.instanceId + ": " + e.what(), {{"instance_id", settings_.instanceId}});
    }
}

Outcome AwsStartAction::run(const Event& event, const ActionContext& context) {
    const std::string& id = settings_.instanceId;
    const std::function<bool()> stopping = [&context] { return context.isStopping(); };
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!context.dryRun && !event.incident.empty() && startedIncidents_.count(event.incident))
            return Outcome::success(id + " was already started in incident " + event.incident + "; not starting it again",
                                    {{"instance_id", id}});
    }
    const auto found = aws::resolveCredentials(settings_.credentials);
    if (!found.credentials) {
        if (!found.error.empty())
            return Outcome::failure("no usable AWS credentials for " + id + ": " + found.error, {{"instance_id", id}});
        if (context.dryRun) return dryRunWithoutCredentials(found);
        return Outcome::failure("no AWS credentials found for " + id + " (tried " + aws::joinTried(found.tried) + ")",
                                {{"instance_id", id}});
    }
    const aws::AwsCredentials& creds = *found.credentials;
    logger().information("aws_start " + id + ": using credentials from " + creds.source + " (key " + creds.accessKeyId + ")");

    aws::InstanceInfo info;
    Outcome failure;
    if (!steps_->describe(creds, stopping, info, failure)) return failure;
    if (context.dryRun) return dryRun(info, creds, stopping);

    const auto deadline = std::chrono::steady_clock::now() + settings_.maxWait;
    if (info.state == "pending" || info.state == "running")
        return Outcome::success(id + " is already " + info.state + where(info) + ": nothing to do", steps_->details(info));
    if (info.state == "terminated" || info.state == "shutting-down")
        return Outcome::failure(id + " is " + info.state + " and cannot be started", steps_->details(info));

    const std::string before = info.state;
    bool started = false;
    for (int attempt = 1; !started; ++attempt) {
        if (info.state == "stopping") {
            logger().information("aws_start " + id + ": instance is stopping; waiting for it to stop");
            if (!steps_->waitFor({"stopped"}, deadline, creds, stopping, info, failure)) return failure;
        }
        if (info.state == "pending" || info.state == "running") break;  // someone (or our earlier try) started it
        if (info.state != "stopped") return Outcome::failure(id + " is " + info.state + " and cannot be started", steps_->details(info));

        const auto reply = client_->send(client_->prepare("StartInstances", {{"InstanceId.1", id}}, creds, aws::amzDateNow()));
        if (reply.ok()) {
            started = true;
            break;
        }
        const bool wrongState = reply.code() == "IncorrectInstanceState";
        if ((!wrongState && !reply.retryable()) || attempt >= settings_.ec2.attempts)
            return steps_->explainFailure("StartInstances", reply);
        logger().warning("aws_start " + id + ": StartInstances: " + reply.describe() + "; describing again before retrying");
        // A 5xx may still have started it: describe again instead of blindly starting twice.
        if (!aws::pauseUnlessStopping(std::min(settings_.ec2.backoff * attempt, std::chrono::milliseconds(20000)), stopping))
            return Outcome::failure("gave up starting " + id + ": the watchdog is stopping", steps_->details(info));
        if (!steps_->describe(creds, stopping, info, failure)) return failure;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!event.incident.empty()) startedIncidents_.insert(event.incident);
    }
    logger().information("aws_start " + id + ": StartInstances accepted (was " + before + "); waiting until running");
    if (!steps_->waitFor({"running"}, deadline, creds, stopping, info, failure)) {
        if (stopping())
            return Outcome::success("started " + id + " (was " + before + "); stopped waiting because the watchdog is stopping",
                                    steps_->details(info));
        return Outcome::failure("started " + id + " (was " + before + ") but " + failure.summary, steps_->details(info));
    }
    return Outcome::success("started " + id + " (was " + before + "): running" + where(info), steps_->details(info));
}

Outcome AwsStartAction::dryRun(const aws::InstanceInfo& info, const aws::AwsCredentials& credentials,
                               const std::function<bool()>& stopping) const {
    const std::string& id = settings_.instanceId;
    const bool wouldStart = info.state == "stopped" || info.state == "stopping";
    const std::string plan = (wouldStart ? "would start " : "would not start ") + id + " (dry run)";
    if (info.state == "terminated" || info.state == "shutting-down")
        return Outcome::failure(plan + ": it is " + info.state + " and cannot be started", steps_->details(info));
    const auto reply = client_->call("StartInstances", {{"InstanceId.1", id}, {"DryRun", "true"}}, credentials, stopping);
    const std::string state = wouldStart ? "it is " + info.state : "it is already " + info.state;
    // EC2 answers a permitted dry run with the error DryRunOperation (HTTP 412), a denied one with UnauthorizedOperation.
    if (reply.code() == "DryRunOperation") {
        Details d = steps_->details(info);
        d.emplace_back("dry_run", "allowed");
        return Outcome::success(plan + ": " + state + " and StartInstances would be allowed", d);
    }
    if (reply.code() == "UnauthorizedOperation") {
        Details d = steps_->details(info);
        d.emplace_back("dry_run", "denied");
        return Outcome::failure(plan + ", but StartInstances would be denied (" + state + "): " + reply.error->message, d);
    }
    Outcome failure = steps_->explainFailure("StartInstances (DryRun)", reply);
    failure.summary = plan + ", but " + failure.summary;
    return failure;
}

Outcome AwsStartAction::dryRunWithoutCredentials(const aws::CredentialResult& result) const {
    const aws::AwsCredentials example{kExampleKeyId, kExampleSecret, "", "example", std::nullopt};
    const auto request = client_->prepare("StartInstances", {{"InstanceId.1", settings_.instanceId}}, example, aws::amzDateNow());
    const std::string text = aws::Ec2Client::printable(request);
    logger().information("aws_start " + settings_.instanceId + ": dry run without AWS credentials (tried " + aws::joinTried(result.tried) +
                         "); after DescribeInstances this request would start the instance (signed with AWS's example key " +
                         kExampleKeyId + ", not a real one):\n" + text);
    return Outcome::success("would start " + settings_.instanceId +
                                " (dry run): no AWS credentials to ask EC2 with; would send StartInstances to " + request.url,
                            {{"instance_id", settings_.instanceId}, {"region", settings_.region}, {"request", text}});
}

}  // namespace watchdog::aws_start

WATCHDOG_ACTION_PLUGIN(watchdog::aws_start::AwsStartAction)
