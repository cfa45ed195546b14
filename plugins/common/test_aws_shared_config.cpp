// The AWS CLI's shared files: INI as configparser reads it, profiles in config and credentials, locations.
#include "AwsSharedConfig.h"

#include "FakeEnvironment.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <map>

using namespace watchdog::common;
using watchdog::test::fakeEnvironment;
using watchdog::test::TempDir;

namespace {

const char* const kConfig =
    "# ~/.aws/config\n"
    "[default]\n"
    "region = eu-west-1\n"
    "output = json\n"
    "\n"
    "[profile backup]\n"
    "; a comment\n"
    "Region: us-east-2\n"
    "s3 =\n"
    "  region = not-this-one\n"
    "[backup2]\n"
    "region = ap-south-1\n";

const char* const kCredentials =
    "[default]\n"
    "aws_access_key_id = AKIADEFAULT\n"
    "aws_secret_access_key = defaultsecret\n"
    "[backup]\n"
    "region = sa-east-1\n"
    "[backup2]\n"
    "region = af-south-1 # not a comment for the AWS CLI\n";

}  // namespace

TEST_CASE("an INI file is read as the AWS CLI reads it: comment lines, key: value, nested lines skipped, keys lower-cased") {
    TempDir dir;
    const IniFile ini = readIniFile(dir.write("config", kConfig));
    CHECK(ini.exists);
    REQUIRE(ini.sections.count("profile backup") == 1);
    CHECK(ini.sections.at("default").at("region") == "eu-west-1");
    CHECK(ini.sections.at("default").at("output") == "json");
    CHECK(ini.sections.at("profile backup").at("region") == "us-east-2");
    CHECK(ini.sections.at("profile backup").at("s3") == "");
    CHECK(readIniFile(dir.write("credentials", kCredentials)).sections.at("backup2").at("region") ==
          "af-south-1 # not a comment for the AWS CLI");
    CHECK_FALSE(readIniFile(dir.file("missing")).exists);
}

TEST_CASE("a profile is [profile NAME] in config and [NAME] in credentials; the credentials file wins") {
    TempDir dir;
    const std::string config = dir.write("config", kConfig);
    const std::string credentials = dir.write("credentials", kCredentials);

    AwsProfile p = readAwsProfile(config, credentials, "default");
    CHECK(p.found);
    CHECK(p.values.at("region") == "eu-west-1");
    CHECK(p.origin.at("region") == config + " [default]");
    CHECK(p.values.at("aws_access_key_id") == "AKIADEFAULT");
    CHECK(p.origin.at("aws_access_key_id") == credentials + " [default]");
    CHECK(p.looked == std::vector<std::string>{config + " [default]", credentials + " [default]"});

    p = readAwsProfile(config, credentials, "backup");
    CHECK(p.values.at("region") == "sa-east-1");
    CHECK(p.origin.at("region") == credentials + " [backup]");

    p = readAwsProfile(config, "", "backup");
    CHECK(p.values.at("region") == "us-east-2");
    CHECK(p.origin.at("region") == config + " [profile backup]");

    // A bare [backup2] in the config file is not a profile there.
    p = readAwsProfile(config, dir.file("none"), "backup2");
    CHECK_FALSE(p.found);
    CHECK(p.looked == std::vector<std::string>{config + ": no [profile backup2]", dir.file("none") + ": no such file"});
}

TEST_CASE("[profile default] counts as the default profile when there is no [default]") {
    TempDir dir;
    const std::string config = dir.write("config", "[profile default]\nregion = eu-north-1\n");
    const AwsProfile p = readAwsProfile(config, "", "default");
    CHECK(p.values.at("region") == "eu-north-1");
    CHECK(p.origin.at("region") == config + " [profile default]");
}

TEST_CASE("file locations: ~/.aws by default, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE, given values win") {
    AwsFileLocations where = locateAwsFiles(fakeEnvironment({{"HOME", "/home/radio"}}));
    CHECK(where.configFile == "/home/radio/.aws/config");
    CHECK(where.credentialsFile == "/home/radio/.aws/credentials");
    CHECK(where.profile == "default");
    CHECK_FALSE(where.profileNamed);

    where = locateAwsFiles(fakeEnvironment({{"HOME", "/home/radio"},
                                            {"AWS_CONFIG_FILE", "~/aws/cfg"},
                                            {"AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/creds"},
                                            {"AWS_PROFILE", "backup"}}));
    CHECK(where.configFile == "/home/radio/aws/cfg");
    CHECK(where.credentialsFile == "/etc/aws/creds");
    CHECK(where.profile == "backup");
    CHECK(where.profileNamed);

    where = locateAwsFiles(fakeEnvironment({{"AWS_PROFILE", "backup"}}), "/opt/cfg", "/opt/creds", "station");
    CHECK(where.configFile == "/opt/cfg");
    CHECK(where.credentialsFile == "/opt/creds");
    CHECK(where.profile == "station");

    where = locateAwsFiles(fakeEnvironment({}));
    CHECK(where.configFile.empty());
    CHECK(where.credentialsFile.empty());
}
