#include "AwsRegion.h"

namespace watchdog::common {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

bool fromVariable(const RegionSources& sources, const char* name, RegionResult& result) {
    const auto value = sources.environment ? sources.environment(name) : std::nullopt;
    if (value && !trim(*value).empty()) {
        result.region = trim(*value);
        result.source = name;
        return true;
    }
    result.tried.push_back(std::string(name) + (value ? ": empty" : ": not set"));
    return false;
}

bool fromProfile(const RegionSources& sources, RegionResult& result) {
    const AwsFileLocations files = locateAwsFiles(sources.environment, sources.configFile, sources.credentialsFile, sources.profile);
    const AwsProfile profile = readAwsProfile(files.configFile, files.credentialsFile, files.profile);
    const auto region = profile.values.find("region");
    if (region != profile.values.end() && !region->second.empty()) {
        result.region = region->second;
        result.source = profile.origin.at("region");
        return true;
    }
    if (files.configFile.empty() && files.credentialsFile.empty()) result.tried.push_back("shared config files: HOME is not set");
    for (const auto& place : profile.looked)
        result.tried.push_back(place.find(": no ") == std::string::npos ? place + ": no region" : place);
    return false;
}

bool fromMetadata(const RegionSources& sources, RegionResult& result) {
    if (!sources.instanceMetadata || metadataDisabled(sources.environment)) {
        result.tried.push_back("instance metadata: disabled");
        return false;
    }
    const ImdsClient imds(sources.imdsEndpoint, sources.imdsTimeout);
    std::string why;
    const auto token = imds.token(why);
    if (!token) {
        result.tried.push_back(why);
        return false;
    }
    const auto answer = imds.get("/latest/meta-data/placement/region", *token, why);
    if (!answer) {
        result.tried.push_back(why);
        return false;
    }
    if (answer->status != 200 || trim(answer->body).empty()) {
        result.tried.push_back("instance metadata region answered HTTP " + std::to_string(answer->status));
        return false;
    }
    result.region = trim(answer->body);
    result.source = "instance metadata (" + sources.imdsEndpoint + ")";
    return true;
}

}  // namespace

RegionResult resolveRegion(const RegionSources& sources) {
    RegionResult result;
    if (fromVariable(sources, "AWS_REGION", result)) return result;
    if (fromVariable(sources, "AWS_DEFAULT_REGION", result)) return result;
    if (fromProfile(sources, result)) return result;
    fromMetadata(sources, result);
    return result;
}

std::string joinTried(const std::vector<std::string>& tried) {
    std::string out;
    for (const auto& t : tried) out += (out.empty() ? "" : "; ") + t;
    return out;
}

}  // namespace watchdog::common
