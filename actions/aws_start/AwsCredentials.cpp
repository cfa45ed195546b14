#include "AwsCredentials.h"

#include <Poco/DateTimeParser.h>
#include <Poco/Environment.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

namespace watchdog::aws {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string env(const CredentialSources& sources, const std::string& name) {
    auto value = sources.environment ? sources.environment(name) : std::nullopt;
    return value ? *value : std::string();
}

struct HttpAnswer {
    int status = 0;
    std::string body;
};

HttpAnswer imdsRequest(const Poco::URI& base, const std::string& method, const std::string& path,
                       const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
    Poco::Net::HTTPClientSession session(base.getHost(), base.getPort());
    session.setTimeout(Poco::Timespan(static_cast<long>(timeout.count() / 1000),
                                      static_cast<long>((timeout.count() % 1000) * 1000)));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.setContentLength(0);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpAnswer answer;
    answer.status = response.getStatus();
    Poco::StreamCopier::copyToString(in, answer.body);
    return answer;
}

}  // namespace

EnvironmentReader processEnvironment() {
    return [](const std::string& name) -> std::optional<std::string> {
        if (!Poco::Environment::has(name)) return std::nullopt;
        return Poco::Environment::get(name);
    };
}

std::optional<AwsCredentials> readSharedCredentials(const std::string& file, const std::string& profile,
                                                    std::string& why, bool& broken) {
    broken = false;
    std::ifstream in(file);
    if (!in) {
        why = file + ": no such file";
        return std::nullopt;
    }
    std::map<std::string, std::string> values;
    bool inProfile = false, found = false;
    std::string line;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            inProfile = trim(line.substr(1, line.size() - 2)) == profile;
            found = found || inProfile;
            continue;
        }
        const auto eq = line.find('=');
        if (!inProfile || eq == std::string::npos) continue;
        values[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
    if (!found) {
        why = file + ": no profile [" + profile + "]";
        return std::nullopt;
    }
    AwsCredentials creds;
    creds.accessKeyId = values["aws_access_key_id"];
    creds.secretAccessKey = values["aws_secret_access_key"];
    creds.sessionToken = values["aws_session_token"];
    if (creds.accessKeyId.empty() || creds.secretAccessKey.empty()) {
        why = file + ": profile [" + profile + "] needs both aws_access_key_id and aws_secret_access_key";
        broken = true;
        return std::nullopt;
    }
    creds.source = file + " [" + profile + "]";
    return creds;
}

std::optional<AwsCredentials> fetchInstanceRoleCredentials(const std::string& endpoint,
                                                           std::chrono::milliseconds timeout, std::string& why) {
    try {
        const Poco::URI base(endpoint);
        // IMDSv2: the TTL header is required on the token PUT (400 without it); 6 h is the maximum.
        const auto token = imdsRequest(base, "PUT", "/latest/api/token",
                                       {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, timeout);
        if (token.status != 200 || token.body.empty()) {
            why = "instance metadata token request answered HTTP " + std::to_string(token.status);
            return std::nullopt;
        }
        const std::map<std::string, std::string> auth{{"X-aws-ec2-metadata-token", trim(token.body)}};
        const auto roles = imdsRequest(base, "GET", "/latest/meta-data/iam/security-credentials/", auth, timeout);
        if (roles.status == 404) {
            why = "the instance has no IAM role attached";
            return std::nullopt;
        }
        std::string role = trim(roles.body.substr(0, roles.body.find('\n')));
        if (roles.status != 200 || role.empty()) {
            why = "instance metadata role list answered HTTP " + std::to_string(roles.status);
            return std::nullopt;
        }
        const auto doc = imdsRequest(base, "GET", "/latest/meta-data/iam/security-credentials/" + role, auth, timeout);
        if (doc.status != 200) {
            why = "instance metadata credentials for role " + role + " answered HTTP " + std::to_string(doc.status);
            return std::nullopt;
        }
        auto json = Poco::JSON::Parser().parse(doc.body).extract<Poco::JSON::Object::Ptr>();
        AwsCredentials creds;
        creds.accessKeyId = json->optValue<std::string>("AccessKeyId", "");
        creds.secretAccessKey = json->optValue<std::string>("SecretAccessKey", "");
        creds.sessionToken = json->optValue<std::string>("Token", "");
        // A 200 carrying Code/Message but no keys is an error (protocols.md 3.4).
        if (creds.accessKeyId.empty() || creds.secretAccessKey.empty()) {
            why = "instance role " + role + ": " + json->optValue<std::string>("Code", "no keys") + " " +
                  json->optValue<std::string>("Message", "");
            why = trim(why);
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
        why = "instance metadata service at " + endpoint + ": " + e.displayText();
    } catch (const std::exception& e) {
        why = "instance metadata service at " + endpoint + ": " + e.what();
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
        result.credentials = AwsCredentials{sources.accessKeyId, sources.secretAccessKey, sources.sessionToken,
                                            "options", std::nullopt};
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

    // 3. Shared credentials file and profile.
    std::string file = sources.credentialsFile;
    if (file.empty()) file = env(sources, "AWS_SHARED_CREDENTIALS_FILE");
    if (file.empty()) {
        const std::string home = env(sources, "HOME");
        if (!home.empty()) file = home + "/.aws/credentials";
    }
    std::string profile = sources.profile;
    const bool profileChosen = !profile.empty() || !env(sources, "AWS_PROFILE").empty();
    if (profile.empty()) profile = env(sources, "AWS_PROFILE");
    if (profile.empty()) profile = "default";
    if (!file.empty()) {
        std::string why;
        bool broken = false;
        auto creds = readSharedCredentials(file, profile, why, broken);
        if (creds) {
            result.credentials = std::move(creds);
            return result;
        }
        // A profile someone named must exist (botocore: ProfileNotFound); the default may be absent.
        const bool fileExists = why.find("no such file") == std::string::npos;
        if (broken || (profileChosen && fileExists)) {
            result.error = why;
            return result;
        }
        result.tried.push_back(why);
    }

    // 4. The instance role through IMDSv2.
    std::string disabled = env(sources, "AWS_EC2_METADATA_DISABLED");
    for (auto& c : disabled) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!sources.instanceRole || disabled == "true") {
        result.tried.push_back("instance role: disabled");
        return result;
    }
    std::string why;
    result.credentials = fetchInstanceRoleCredentials(sources.imdsEndpoint, sources.imdsTimeout, why);
    if (!result.credentials) result.tried.push_back(why);
    return result;
}

}  // namespace watchdog::aws
