#pragma once

// The AWS region in the order the AWS tools look (protocols.md 3.4): AWS_REGION,
// AWS_DEFAULT_REGION, the profile's `region` in the shared files, then the instance metadata
// service (IMDSv2, /latest/meta-data/placement/region) when running on EC2.

#include "AwsSharedConfig.h"
#include "ImdsClient.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace watchdog::common {

/// Where the region chain looks; empty fields take the AWS CLI's defaults from the environment.
struct RegionSources {
    EnvironmentReader environment = processEnvironment();  ///< AWS_* variables and HOME
    std::string configFile;                                ///< empty: AWS_CONFIG_FILE, then ~/.aws/config
    std::string credentialsFile;                           ///< empty: AWS_SHARED_CREDENTIALS_FILE, then ~/.aws/credentials
    std::string profile;                                   ///< empty: AWS_PROFILE, then "default"
    bool instanceMetadata = true;                          ///< ask IMDS last (also off when AWS_EC2_METADATA_DISABLED=true)
    std::string imdsEndpoint = defaultImdsEndpoint;        ///< the metadata service
    std::chrono::milliseconds imdsTimeout{1000};           ///< per metadata request, as botocore's default
};

/// The region and where it came from, or every place that was tried.
struct RegionResult {
    std::optional<std::string> region;  ///< e.g. "eu-west-2"
    std::string source;                 ///< "AWS_REGION", "/root/.aws/config [default]", "instance metadata (URL)"
    std::vector<std::string> tried;     ///< places before `source` (all of them when none had it), in order
};

/// Runs the chain once; never throws.
RegionResult resolveRegion(const RegionSources& sources);

/// The tried places joined with "; ", for one-line messages.
std::string joinTried(const std::vector<std::string>& tried);

}  // namespace watchdog::common
