#include "Ec2ActionSettings.h"

#include "AwsRegion.h"

#include <Poco/Logger.h>
#include <Poco/URI.h>

#include <regex>

namespace watchdog::aws {

Ec2ActionSettings readEc2ActionSettings(const Options& block, const EnvironmentReader& environment, const std::string& plugin) {
    const DeclaredOptions options(block, ec2ActionOptions());
    Ec2ActionSettings s;
    s.instanceId = options.string("instance_id");
    // EC2 ids are "i-" and 8 or 17 lowercase hex digits (protocols.md 3.3, InvalidInstanceID.Malformed).
    if (!std::regex_match(s.instanceId, std::regex("i-([0-9a-f]{8}|[0-9a-f]{17})")))
        options.report("instance_id",
                       "'" + s.instanceId + "' is not an EC2 instance id (i- and 8 or 17 hex digits, e.g. i-0123456789abcdef0)");

    s.credentials.profile = options.string("profile", "");
    s.credentials.credentialsFile = options.path("credentials_file", "");
    s.credentials.configFile = options.path("config_file", "");
    s.credentials.imdsEndpoint = options.string("imds_endpoint", common::defaultImdsEndpoint);
    s.credentials.imdsTimeout = options.duration("imds_timeout", std::chrono::milliseconds(1000));
    s.credentials.environment = environment;

    s.region = options.string("region", "");
    std::string regionSource = "region";
    if (s.region.empty()) {
        const common::RegionSources where{environment, s.credentials.configFile,   s.credentials.credentialsFile, s.credentials.profile,
                                          true,        s.credentials.imdsEndpoint, s.credentials.imdsTimeout};
        const auto found = common::resolveRegion(where);
        if (!found.region)
            options.fail("region", "no region found (looked in " + common::joinTried(found.tried) +
                                       "): set region (e.g. eu-west-2), AWS_REGION, or region in the AWS profile");
        s.region = *found.region;
        regionSource = found.source;
        Poco::Logger::get("watchdog.action." + plugin).information(plugin + ": region " + s.region + " from " + regionSource);
    }
    if (!std::regex_match(s.region, std::regex("[a-z]{2}(-[a-z]+)+-[0-9]+")))
        options.report("region", "'" + s.region + "'" + (regionSource == "region" ? "" : " (from " + regionSource + ")") +
                                     " is not an AWS region (e.g. eu-west-2, us-east-1)");

    s.ec2.region = s.region;
    s.ec2.endpoint = options.string("endpoint", defaultEc2Endpoint(s.region));
    try {
        Poco::URI uri(s.ec2.endpoint);
        if ((uri.getScheme() != "https" && uri.getScheme() != "http") || uri.getHost().empty())
            options.report("endpoint", "'" + s.ec2.endpoint + "' is not an http(s) URL (e.g. https://ec2.eu-west-2.amazonaws.com)");
    } catch (const Poco::SyntaxException&) {
        options.report("endpoint", "'" + s.ec2.endpoint + "' is not a URL");
    }
    s.ec2.timeout = options.duration("request_timeout", std::chrono::milliseconds(10000));
    s.ec2.attempts = static_cast<int>(options.integer("attempts", 4, 1, 10));
    s.ec2.backoff = options.duration("retry_backoff", std::chrono::milliseconds(500));
    s.pollInterval = options.duration("poll_interval", std::chrono::milliseconds(5000));
    s.maxWait = options.duration("max_wait", std::chrono::milliseconds(300000));
    if (s.ec2.timeout.count() <= 0) options.report("request_timeout", "must be more than 0");
    if (s.pollInterval.count() <= 0) options.report("poll_interval", "must be more than 0");

    s.credentials.accessKeyId = options.string("access_key_id", "");
    s.credentials.secretAccessKey = options.secret("secret_access_key", "");
    s.credentials.sessionToken = options.secret("session_token", "");
    if (s.credentials.accessKeyId.empty() != s.credentials.secretAccessKey.empty())
        options.report(s.credentials.accessKeyId.empty() ? "access_key_id" : "secret_access_key",
                       "access_key_id and secret_access_key must be given together");
    s.credentials.instanceRole = options.boolean("instance_role", true);

    return s;
}

std::string instanceAddress(const InstanceInfo& info) {
    std::string out;
    if (!info.publicIp.empty()) out += " at " + info.publicIp;
    if (!info.privateIp.empty()) out += (out.empty() ? " (private " : " (private ") + info.privateIp + ")";
    return out;
}

}  // namespace watchdog::aws
