#pragma once

// The credential chain in the order the AWS tools use (protocols.md 3.4): pipeline options, the
// environment, the shared credentials file and then the config file with a profile, then the
// instance role through IMDSv2.

#include "AwsSharedConfig.h"
#include "ImdsClient.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace watchdog::aws {

/// One set of AWS credentials; the secret and the token are never logged.
struct AwsCredentials {
    std::string accessKeyId;      ///< AKIA... or ASIA...
    std::string secretAccessKey;  ///< secret
    std::string sessionToken;     ///< secret; empty for long-term keys
    std::string source;           ///< where they came from: "options", "environment", "FILE [profile]", "instance role NAME"
    std::optional<std::chrono::system_clock::time_point> expiration;  ///< temporary credentials only
};

/// Reads an environment variable; nullopt when unset.
using common::EnvironmentReader;

/// The process environment.
using common::processEnvironment;

/// Where the chain looks, filled from the action's options.
struct CredentialSources {
    std::string accessKeyId;      ///< option access_key_id (may be empty)
    std::string secretAccessKey;  ///< option secret_access_key
    std::string sessionToken;     ///< option session_token
    std::string credentialsFile;  ///< option credentials_file; empty: AWS_SHARED_CREDENTIALS_FILE, then ~/.aws/credentials
    std::string configFile;       ///< option config_file; empty: AWS_CONFIG_FILE, then ~/.aws/config
    std::string profile;          ///< option profile; empty: AWS_PROFILE, then "default"
    bool instanceRole = true;     ///< option instance_role (also off when AWS_EC2_METADATA_DISABLED=true)
    std::string imdsEndpoint = common::defaultImdsEndpoint;  ///< option imds_endpoint
    std::chrono::milliseconds imdsTimeout{1000};             ///< per IMDS request, as botocore's default
    EnvironmentReader environment = processEnvironment();    ///< injectable for tests
};

/// What the chain found: credentials, or why not (each source that was tried, in order).
struct CredentialResult {
    std::optional<AwsCredentials> credentials;  ///< set when some source had them
    std::string error;                          ///< set when a source was broken (bad file, profile missing, IMDS error)
    std::vector<std::string> tried;             ///< "environment: not set", "FILE: no such file", ...
};

/// Runs the chain once; never throws.
CredentialResult resolveCredentials(const CredentialSources& sources);

/// Reads one profile of a shared credentials file ("[name]" sections, no "profile " prefix).
/// Returns nullopt with `why` set when the file or profile is missing or incomplete.
std::optional<AwsCredentials> readSharedCredentials(const std::string& file, const std::string& profile, std::string& why, bool& broken);

/// Reads the keys of one profile of the config file ("[profile name]", or "[default]").
/// Returns nullopt with `why` set when the file, the profile or the keys are missing (`broken`: only one key).
std::optional<AwsCredentials> readConfigFileCredentials(const std::string& file, const std::string& profile, std::string& why,
                                                        bool& broken);

/// Fetches the instance role's credentials through IMDSv2 (token PUT, role name, role JSON).
/// Returns nullopt with `why` set when there is no metadata service, no role, or a bad answer.
std::optional<AwsCredentials> fetchInstanceRoleCredentials(const std::string& endpoint, std::chrono::milliseconds timeout,
                                                           std::string& why);

}  // namespace watchdog::aws
