#include "AwsCredentials.h"

#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Parser.h>

#include <array>

namespace watchdog::aws {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string env(const CredentialSources& sources, const std::string& name) { return common::environmentValue(sources.environment, name); }

/// The keys of one INI section; nullopt with `why` (and `broken` when only one key is there) otherwise.
std::optional<AwsCredentials> keysOf(const common::IniSection& values, const std::string& place, std::string& why, bool& broken) {
    const auto get = [&values](const char* key) {
        const auto it = values.find(key);
        return it == values.end() ? std::string() : it->second;
    };
    AwsCredentials creds{get("aws_access_key_id"), get("aws_secret_access_key"), get("aws_session_token"), place, std::nullopt};
    if (!creds.accessKeyId.empty() && !creds.secretAccessKey.empty()) return creds;
    broken = !creds.accessKeyId.empty() || !creds.secretAccessKey.empty();
    why = broken ? place + " needs both aws_access_key_id and aws_secret_access_key" : place + ": no keys";
    return std::nullopt;
}

/// A profile the AWS CLI would turn into credentials by a way aws_start does not speak (assume role, SSO, a process).
std::string unsupportedSetting(const common::IniSection& values) {
    static const std::array<const char*, 5> settings{"role_arn", "credential_process", "sso_session", "sso_start_url",
                                                     "web_identity_token_file"};
    for (const char* key : settings)
        if (values.count(key) != 0) return key;
    return {};
}

}  // namespace

std::optional<AwsCredentials> readSharedCredentials(const std::string& file, const std::string& profile, std::string& why, bool& broken) {
    broken = false;
    const common::IniFile ini = common::readIniFile(file);
    if (!ini.exists) {
        why = file + ": no such file";
        return std::nullopt;
    }
    const auto section = ini.sections.find(profile);
    if (section == ini.sections.end()) {
        why = file + ": no profile [" + profile + "]";
        return std::nullopt;
    }
    auto creds = keysOf(section->second, file + " [" + profile + "]", why, broken);
    if (!creds && broken) why = file + ": profile [" + profile + "] needs both aws_access_key_id and aws_secret_access_key";
    return creds;
}

std::optional<AwsCredentials> readConfigFileCredentials(const std::string& file, const std::string& profile, std::string& why,
                                                        bool& broken) {
    broken = false;
    const common::IniFile ini = common::readIniFile(file);
    if (!ini.exists) {
        why = file + ": no such file";
        return std::nullopt;
    }
    // Named profiles are "[profile NAME]" in the config file; the default is "[default]".
    std::string name = "profile " + profile;
    if (profile == "default" && ini.sections.count(name) == 0) name = "default";
    const auto section = ini.sections.find(name);
    if (section == ini.sections.end()) {
        why = file + ": no [" + name + "]";
        return std::nullopt;
    }
    return keysOf(section->second, file + " [" + name + "]", why, broken);
}

std::optional<AwsCredentials> fetchInstanceRoleCredentials(const std::string& endpoint, std::chrono::milliseconds timeout,
                                                           std::string& why) {
    const common::ImdsClient imds(endpoint, timeout);
    const auto token = imds.token(why);
    if (!token) return std::nullopt;
    const auto roles = imds.get("/latest/meta-data/iam/security-credentials/", *token, why);
    if (!roles) return std::nullopt;
    if (roles->status == 404) {
        why = "the instance has no IAM role attached";
        return std::nullopt;
    }
    const std::string role = trim(roles->body.substr(0, roles->body.find('\n')));
    if (roles->status != 200 || role.empty()) {
        why = "instance metadata role list answered HTTP " + std::to_string(roles->status);
        return std::nullopt;
    }
    const auto doc = imds.get("/latest/meta-data/iam/security-credentials/" + role, *token, why);
    if (!doc) return std::nullopt;
    if (doc->status != 200) {
        why = "instance metadata credentials for role " + role + " answered HTTP " + std::to_string(doc->status);
        return std::nullopt;
    }
    try {
        auto json = Poco::JSON::Parser().parse(doc->body).extract<Poco::JSON::Object::Ptr>();
        AwsCredentials creds;
        creds.accessKeyId = json->optValue<std::string>("AccessKeyId", "");
        creds.secretAccessKey = json->optValue<std::string>("SecretAccessKey", "");
        creds.sessionToken = json->optValue<std::string>("Token", "");
        // A 200 carrying Code/Message but no keys is an error (protocols.md 3.4).
        if (creds.accessKeyId.empty() || creds.secretAccessKey.empty()) {
            why = trim("instance role " + role + ": " + json->optValue<std::string>("Code", "no keys") + " " +
                       json->optValue<std::string>("Message", ""));
            return std::nullopt;
        }
        const std::string expiration = json->optValue<std::string>("Expiration", "");
        int tz = 0;
        Poco::DateTime parsed;
        if (!expiration.empty() && Poco::DateTimeParser::tryParse(expiration, parsed, tz))
            creds.expiration = std::chrono::system_clock::from_time_t(parsed.timestamp().epochTime() - tz);
        creds.source = "instance role " + role;
        return creds;
    } catch (const Poco::Exception& e) {
        why = "instance role " + role + ": " + e.displayText();
    } catch (const std::exception& e) {
        why = "instance role " + role + ": " + e.what();
    }
    return std::nullopt;
}

CredentialResult resolveCredentials(const CredentialSources& sources) {
    CredentialResult result;
    // 1. Options (usually ${VAR} in the pipeline).
    if (!sources.accessKeyId.empty() || !sources.secretAccessKey.empty()) {
        if (sources.accessKeyId.empty() || sources.secretAccessKey.empty()) {
            result.error = "options: access_key_id and secret_access_key must be given together";
            return result;
        }
        result.credentials = AwsCredentials{sources.accessKeyId, sources.secretAccessKey, sources.sessionToken, "options", std::nullopt};
        return result;
    }
    result.tried.push_back("options: not set");

    // 2. Environment; keys there win over AWS_PROFILE, as in botocore.
    const std::string envKey = env(sources, "AWS_ACCESS_KEY_ID");
    const std::string envSecret = env(sources, "AWS_SECRET_ACCESS_KEY");
    if (!envKey.empty() || !envSecret.empty()) {
        if (envKey.empty() || envSecret.empty()) {
            result.error = "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together";
            return result;
        }
        std::string token = env(sources, "AWS_SESSION_TOKEN");
        if (token.empty()) token = env(sources, "AWS_SECURITY_TOKEN");
        result.credentials = AwsCredentials{envKey, envSecret, token, "environment", std::nullopt};
        return result;
    }
    result.tried.push_back("environment: not set");

    // 3. The shared credentials file, then the config file, with the profile (botocore's order).
    const auto files = common::locateAwsFiles(sources.environment, sources.configFile, sources.credentialsFile, sources.profile);
    const auto profile = common::readAwsProfile(files.configFile, files.credentialsFile, files.profile);
    // The AWS CLI would assume a role, ask SSO or run a program before it looked at keys: say so rather than use other keys.
    if (const std::string setting = unsupportedSetting(profile.values); !setting.empty()) {
        result.error = "profile [" + files.profile + "] (" + profile.origin.at(setting) + ") uses " + setting +
                       ", which aws_start does not support: give the profile aws_access_key_id and aws_secret_access_key, "
                       "or use the instance role";
        return result;
    }
    std::vector<std::string> missing;
    for (const auto& [file, read] :
         {std::make_pair(files.credentialsFile, &readSharedCredentials), std::make_pair(files.configFile, &readConfigFileCredentials)}) {
        if (file.empty()) continue;
        std::string why;
        bool broken = false;
        auto creds = read(file, files.profile, why, broken);
        if (creds) {
            result.credentials = std::move(creds);
            return result;
        }
        if (broken) {
            result.error = why;
            return result;
        }
        if (why.find(": no such file") == std::string::npos) missing.push_back(why);
        result.tried.push_back(why);
    }
    // A profile someone named must exist (botocore: ProfileNotFound); the default may be absent.
    if (files.profileNamed && !profile.found && !missing.empty()) {
        std::string why;
        for (const auto& m : missing) why += (why.empty() ? "" : "; ") + m;
        result.error = why;
        return result;
    }

    // 4. The instance role through IMDSv2.
    if (!sources.instanceRole || common::metadataDisabled(sources.environment)) {
        result.tried.push_back("instance role: disabled");
        return result;
    }
    std::string why;
    result.credentials = fetchInstanceRoleCredentials(sources.imdsEndpoint, sources.imdsTimeout, why);
    if (!result.credentials) result.tried.push_back(why);
    return result;
}

}  // namespace watchdog::aws
