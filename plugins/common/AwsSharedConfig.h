#pragma once

// The AWS CLI's shared files (protocols.md 3.4): ~/.aws/config with [default] and [profile NAME]
// sections, ~/.aws/credentials with [NAME] sections, both moved by AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE, and the profile chosen by AWS_PROFILE.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace watchdog::common {

/// Reads an environment variable; nullopt when unset.
using EnvironmentReader = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment.
EnvironmentReader processEnvironment();

/// A variable's value, or "" when unset or when `environment` is empty.
std::string environmentValue(const EnvironmentReader& environment, const std::string& name);

/// One section of an INI file: lower-cased keys to values.
using IniSection = std::map<std::string, std::string>;

/// An INI file as the AWS CLI reads it (configparser: '#' and ';' comment lines, `key = value` or
/// `key: value`, indented lines nested under the key above, no inline comments).
struct IniFile {
    bool exists = false;                         ///< false when the file could not be opened
    std::map<std::string, IniSection> sections;  ///< by the name between the brackets, trimmed
};

/// Reads `path`; a missing or unreadable file gives `exists == false`.
IniFile readIniFile(const std::string& path);

/// Which files and profile the AWS CLI would use.
struct AwsFileLocations {
    std::string configFile;       ///< AWS_CONFIG_FILE, else $HOME/.aws/config ("" without HOME)
    std::string credentialsFile;  ///< AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials
    std::string profile;          ///< AWS_PROFILE, else "default"
    bool profileNamed = false;    ///< true when AWS_PROFILE chose it
};

/// The locations from the environment; a non-empty argument wins over the variable for that item.
AwsFileLocations locateAwsFiles(const EnvironmentReader& environment, const std::string& configFile = "",
                                const std::string& credentialsFile = "", const std::string& profile = "");

/// One profile's settings as the AWS CLI sees them: the config file's [profile NAME] ([default]
/// for default) overlaid by the credentials file's [NAME], which wins, as in botocore.
struct AwsProfile {
    std::string name;                           ///< the profile
    bool found = false;                         ///< present in at least one of the files
    IniSection values;                          ///< merged settings
    std::map<std::string, std::string> origin;  ///< key -> "FILE [SECTION]" that gave the value
    std::vector<std::string> looked;            ///< per file: "FILE [SECTION]" when read, else "FILE: no such file" or "FILE: no [SECTION]"
};

/// Reads `profile` from both files (either path may be empty: not looked at).
AwsProfile readAwsProfile(const std::string& configFile, const std::string& credentialsFile, const std::string& profile);

/// Expands a leading "~/" with HOME, as the AWS CLI does for the file variables.
std::string expandHome(const std::string& path, const EnvironmentReader& environment);

}  // namespace watchdog::common
