#include "AwsSharedConfig.h"

#include <Poco/Environment.h>

#include <algorithm>
#include <cctype>
#include <fstream>

namespace watchdog::common {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Looks `section` up in `file` and copies its keys over `profile`, remembering where each came from.
void overlay(const std::string& path, const IniFile& file, const std::string& section, AwsProfile& profile) {
    if (path.empty()) return;
    if (!file.exists) {
        profile.looked.push_back(path + ": no such file");
        return;
    }
    const auto it = file.sections.find(section);
    if (it == file.sections.end()) {
        profile.looked.push_back(path + ": no [" + section + "]");
        return;
    }
    profile.found = true;
    profile.looked.push_back(path + " [" + section + "]");
    for (const auto& [key, value] : it->second) {
        profile.values[key] = value;
        profile.origin[key] = path + " [" + section + "]";
    }
}

}  // namespace

EnvironmentReader processEnvironment() {
    return [](const std::string& name) -> std::optional<std::string> {
        if (!Poco::Environment::has(name)) return std::nullopt;
        return Poco::Environment::get(name);
    };
}

std::string environmentValue(const EnvironmentReader& environment, const std::string& name) {
    auto value = environment ? environment(name) : std::nullopt;
    return value ? *value : std::string();
}

IniFile readIniFile(const std::string& path) {
    IniFile file;
    std::ifstream in(path);
    if (!in) return file;
    file.exists = true;
    IniSection* section = nullptr;
    std::string raw;
    while (std::getline(in, raw)) {
        const std::string line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        // An indented line belongs to the key above it (e.g. "s3 =" then "  max_concurrent_requests = 20").
        if (raw[0] == ' ' || raw[0] == '\t') continue;
        if (line.front() == '[' && line.back() == ']') {
            section = &file.sections[trim(line.substr(1, line.size() - 2))];
            continue;
        }
        const auto sep = line.find_first_of("=:");
        if (section == nullptr || sep == std::string::npos) continue;
        (*section)[lower(trim(line.substr(0, sep)))] = trim(line.substr(sep + 1));
    }
    return file;
}

std::string expandHome(const std::string& path, const EnvironmentReader& environment) {
    if (path.rfind("~/", 0) != 0) return path;
    const std::string home = environmentValue(environment, "HOME");
    return home.empty() ? path : home + path.substr(1);
}

AwsFileLocations locateAwsFiles(const EnvironmentReader& environment, const std::string& configFile, const std::string& credentialsFile,
                                const std::string& profile) {
    AwsFileLocations where;
    const std::string home = environmentValue(environment, "HOME");
    auto pick = [&](const std::string& given, const char* variable, const char* underHome) {
        std::string path = given.empty() ? environmentValue(environment, variable) : given;
        if (path.empty() && !home.empty()) path = home + underHome;
        return expandHome(path, environment);
    };
    where.configFile = pick(configFile, "AWS_CONFIG_FILE", "/.aws/config");
    where.credentialsFile = pick(credentialsFile, "AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials");
    where.profile = profile;
    if (where.profile.empty()) where.profile = environmentValue(environment, "AWS_PROFILE");
    where.profileNamed = !where.profile.empty();
    if (where.profile.empty()) where.profile = "default";
    return where;
}

AwsProfile readAwsProfile(const std::string& configFile, const std::string& credentialsFile, const std::string& profile) {
    AwsProfile result;
    result.name = profile;
    if (!configFile.empty()) {
        const IniFile config = readIniFile(configFile);
        // In the config file only [default] and [profile NAME] are profiles; a bare [NAME] is ignored.
        std::string section = "profile " + profile;
        if (profile == "default" && config.sections.count(section) == 0) section = "default";
        overlay(configFile, config, section, result);
    }
    if (!credentialsFile.empty()) overlay(credentialsFile, readIniFile(credentialsFile), profile, result);
    return result;
}

}  // namespace watchdog::common
