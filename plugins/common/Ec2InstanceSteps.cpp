#include "Ec2InstanceSteps.h"

#include "Ec2Xml.h"

#include <watchdog/HumanFormat.h>

namespace watchdog::aws {

Ec2InstanceSteps::Ec2InstanceSteps(const Ec2ActionSettings& settings, const Ec2Client& client, std::string participle)
    : settings_(settings), client_(client), participle_(std::move(participle)) {}

Details Ec2InstanceSteps::details(const InstanceInfo& info) const {
    Details d{{"instance_id", settings_.instanceId}, {"state", info.state}};
    if (!info.publicIp.empty()) d.emplace_back("public_ip", info.publicIp);
    if (!info.privateIp.empty()) d.emplace_back("private_ip", info.privateIp);
    d.emplace_back("region", settings_.region);
    return d;
}

bool Ec2InstanceSteps::describe(const AwsCredentials& credentials, const std::function<bool()>& stopping, InstanceInfo& info,
                                Outcome& failure) const {
    const std::string& id = settings_.instanceId;
    const auto reply = client_.call("DescribeInstances", {{"InstanceId.1", id}}, credentials, stopping);
    if (!reply.ok()) {
        failure = explainFailure("DescribeInstances", reply);
        return false;
    }
    try {
        for (const auto& i : parseDescribeInstances(reply.body)) {
            if (i.instanceId == id) {
                info = i;
                return true;
            }
        }
    } catch (const std::exception& e) {
        failure = Outcome::failure("DescribeInstances for " + id + ": " + e.what(), {{"instance_id", id}});
        return false;
    }
    // Describing an id you cannot see omits it rather than failing (protocols.md 3.1).
    failure = Outcome::failure(id + " is not visible in " + settings_.region + " with these credentials (check instance_id and region)",
                               {{"instance_id", id}});
    return false;
}

bool Ec2InstanceSteps::waitFor(const std::set<std::string>& targets, std::chrono::steady_clock::time_point deadline,
                               const AwsCredentials& credentials, const std::function<bool()>& stopping, InstanceInfo& info,
                               Outcome& failure) const {
    const std::string& id = settings_.instanceId;
    while (!targets.count(info.state)) {
        if (info.state == "terminated" || info.state == "shutting-down") {
            failure = Outcome::failure(id + " is " + info.state + " and cannot be " + participle_, details(info));
            return false;
        }
        if (std::chrono::steady_clock::now() + settings_.pollInterval > deadline) {
            failure = Outcome::failure(id + " was still " + info.state + " after " + human::duration(settings_.maxWait) + " (max_wait)",
                                       details(info));
            return false;
        }
        if (!pauseUnlessStopping(settings_.pollInterval, stopping)) {
            failure = Outcome::failure("stopped waiting for " + id + ": the watchdog is stopping", details(info));
            return false;
        }
        if (!describe(credentials, stopping, info, failure)) return false;
    }
    return true;
}

Outcome Ec2InstanceSteps::explainFailure(const std::string& action, const Ec2Reply& reply) const {
    const std::string& id = settings_.instanceId;
    const std::string code = reply.code();
    const std::string tries = reply.attempts > 1 ? " after " + std::to_string(reply.attempts) + " attempts" : "";
    std::string summary;
    if (reply.interrupted)
        summary = action + " for " + id + " gave up (the watchdog is stopping): " + reply.describe();
    else if (!reply.transportError.empty())
        summary = "cannot reach EC2 at " + settings_.ec2.endpoint + tries + ": " + reply.transportError;
    else if (code == "UnauthorizedOperation")
        summary = "not allowed to call " + action + " on " + id + ": " + reply.error->message;
    else if (code == "InvalidInstanceID.NotFound")
        summary = id + " does not exist in region " + settings_.region + " (InvalidInstanceID.NotFound; check instance_id and region)";
    else if (code == "InvalidInstanceID.Malformed")
        summary = id + " is not a valid instance id (InvalidInstanceID.Malformed)";
    else if (code == "RequestExpired" || code == "ExpiredToken")
        summary =
            "EC2 rejected " + action + " as expired (" + code + "): the credentials have expired or the clock is more than 15 minutes off";
    else if (code == "AuthFailure" || code == "SignatureDoesNotMatch" || code == "InvalidClientTokenId" || code == "IncompleteSignature" ||
             code == "MissingAuthenticationToken")
        summary = "EC2 rejected the credentials for " + action + " (" + code + "): check the access key id and secret";
    else if (code == "IncorrectInstanceState")
        summary = id + " is not in a state from which it can be " + participle_ + " (IncorrectInstanceState)";
    else if (reply.retryable())
        summary = "EC2 " + action + " for " + id + " kept failing" + tries + ": " + reply.describe();
    else
        summary = "EC2 " + action + " for " + id + " failed: " + reply.describe();
    Details d{{"instance_id", id}};
    if (!code.empty()) d.emplace_back("error", code);
    if (reply.error && !reply.error->requestId.empty()) d.emplace_back("request_id", reply.error->requestId);
    return Outcome::failure(summary, d);
}

std::string joinTried(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
}

}  // namespace watchdog::aws
