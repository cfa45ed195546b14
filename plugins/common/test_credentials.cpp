// The credential chain: options, environment, shared credentials file and config file with profile, then IMDSv2.
#include "AwsCredentials.h"

#include "IsolatedCredentials.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <map>

using namespace watchdog::aws;
using watchdog::test::isolatedCredentials;
using watchdog::test::TempDir;

namespace {
const char* kFile =
    "# comment\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = defaultsecret\n\n"
    "[backup]\naws_access_key_id=ASIABACKUP\naws_secret_access_key=backupsecret\naws_session_token = backuptoken\n"
    "[half]\naws_access_key_id = AKIAHALF\n";
}  // namespace

TEST_CASE("options win over everything else") {
    auto s = isolatedCredentials({{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}});
    s.accessKeyId = "AKIAOPT";
    s.secretAccessKey = "optsecret";
    s.sessionToken = "opttoken";
    const auto r = resolveCredentials(s);
    REQUIRE(r.credentials);
    CHECK(r.credentials->accessKeyId == "AKIAOPT");
    CHECK(r.credentials->sessionToken == "opttoken");
    CHECK(r.credentials->source == "options");
}

TEST_CASE("the environment comes next, with its session token, and wins over AWS_PROFILE") {
    TempDir dir;
    auto s = isolatedCredentials({{"AWS_ACCESS_KEY_ID", "ASIAENV"},
                                  {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                  {"AWS_SESSION_TOKEN", "envtoken"},
                                  {"AWS_PROFILE", "backup"},
                                  {"AWS_SHARED_CREDENTIALS_FILE", dir.write("credentials", kFile)}});
    const auto r = resolveCredentials(s);
    REQUIRE(r.credentials);
    CHECK(r.credentials->accessKeyId == "ASIAENV");
    CHECK(r.credentials->secretAccessKey == "envsecret");
    CHECK(r.credentials->sessionToken == "envtoken");
    CHECK(r.credentials->source == "environment");
}

TEST_CASE("half-set keys in options or the environment are an error, not a silent fallback") {
    auto s = isolatedCredentials({{"AWS_ACCESS_KEY_ID", "AKIAENV"}});
    auto r = resolveCredentials(s);
    CHECK_FALSE(r.credentials);
    CHECK(r.error == "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    s = isolatedCredentials();
    s.accessKeyId = "AKIAOPT";
    r = resolveCredentials(s);
    CHECK(r.error == "options: access_key_id and secret_access_key must be given together");
}

TEST_CASE("the shared credentials file: default profile, a named profile, AWS_PROFILE, ~/.aws/credentials") {
    TempDir dir;
    const std::string file = dir.write("credentials", kFile);
    auto s = isolatedCredentials();
    s.credentialsFile = file;
    auto r = resolveCredentials(s);
    REQUIRE(r.credentials);
    CHECK(r.credentials->accessKeyId == "AKIADEFAULT");
    CHECK(r.credentials->sessionToken.empty());
    CHECK(r.credentials->source == file + " [default]");

    s.profile = "backup";
    r = resolveCredentials(s);
    REQUIRE(r.credentials);
    CHECK(r.credentials->accessKeyId == "ASIABACKUP");
    CHECK(r.credentials->sessionToken == "backuptoken");

    auto fromEnv = isolatedCredentials({{"AWS_PROFILE", "backup"}, {"AWS_SHARED_CREDENTIALS_FILE", file}});
    r = resolveCredentials(fromEnv);
    REQUIRE(r.credentials);
    CHECK(r.credentials->accessKeyId == "ASIABACKUP");

    dir.write("home/.aws/credentials", kFile);
    auto home = isolatedCredentials({{"HOME", dir.file("home")}});
    r = resolveCredentials(home);
    REQUIRE(r.credentials);
    CHECK(r.credentials->accessKeyId == "AKIADEFAULT");
}

TEST_CASE("a named profile that is missing or incomplete is a clear error") {
    TempDir dir;
    const std::string file = dir.write("credentials", kFile);
    auto s = isolatedCredentials();
    s.credentialsFile = file;
    s.profile = "nosuch";
    auto r = resolveCredentials(s);
    CHECK_FALSE(r.credentials);
    CHECK(r.error == file + ": no profile [nosuch]");
    s.profile = "half";
    r = resolveCredentials(s);
    CHECK(r.error == file + ": profile [half] needs both aws_access_key_id and aws_secret_access_key");
}

TEST_CASE("nothing anywhere: no credentials, and each source tried is listed") {
    TempDir dir;
    auto s = isolatedCredentials({{"HOME", dir.path()}});
    const auto r = resolveCredentials(s);
    CHECK_FALSE(r.credentials);
    CHECK(r.error.empty());
    REQUIRE(r.tried.size() == 5);
    CHECK(r.tried[0] == "options: not set");
    CHECK(r.tried[1] == "environment: not set");
    CHECK(r.tried[2] == dir.path() + "/.aws/credentials: no such file");
    CHECK(r.tried[3] == dir.path() + "/.aws/config: no such file");
    CHECK(r.tried[4] == "instance role: disabled");
}

TEST_CASE("the config file's profile keys come after the credentials file's, as in the AWS CLI") {
    TempDir dir;
    const std::string config = dir.write("config",
                                         "[default]\nregion = eu-west-1\n[profile backup]\n"
                                         "aws_access_key_id = AKIACONFIG\naws_secret_access_key = configsecret\n");
    const std::string credentials = dir.write("credentials", kFile);
    auto s = isolatedCredentials({{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}, {"AWS_PROFILE", "backup"}});
    auto r = resolveCredentials(s);
    REQUIRE(r.credentials);
    CHECK(r.credentials->accessKeyId == "ASIABACKUP");

    s = isolatedCredentials({{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", dir.file("none")}, {"AWS_PROFILE", "backup"}});
    r = resolveCredentials(s);
    REQUIRE(r.credentials);
    CHECK(r.credentials->accessKeyId == "AKIACONFIG");
    CHECK(r.credentials->source == config + " [profile backup]");
    CHECK(r.tried.back() == dir.file("none") + ": no such file");

    // [default] with a region but no keys: not an error, the chain goes on.
    s = isolatedCredentials({{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", dir.file("none")}});
    r = resolveCredentials(s);
    CHECK_FALSE(r.credentials);
    CHECK(r.error.empty());
    CHECK(r.tried[3] == config + " [default]: no keys");
}

TEST_CASE("a named profile must be in one of the files; one that assumes a role is refused, not replaced") {
    TempDir dir;
    const std::string config = dir.write("config",
                                         "[profile station]\nregion = eu-west-2\n"
                                         "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = default\n");
    const std::string credentials = dir.write("credentials", kFile);
    auto s = isolatedCredentials({{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}, {"AWS_PROFILE", "nosuch"}});
    auto r = resolveCredentials(s);
    CHECK_FALSE(r.credentials);
    CHECK(r.error == credentials + ": no profile [nosuch]; " + config + ": no [profile nosuch]");

    s = isolatedCredentials({{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}, {"AWS_PROFILE", "station"}});
    r = resolveCredentials(s);
    CHECK_FALSE(r.credentials);
    CHECK(r.error.empty());
    CHECK(r.tried.back() == "instance role: disabled");

    s = isolatedCredentials({{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}, {"AWS_PROFILE", "admin"}});
    r = resolveCredentials(s);
    CHECK(r.error == "profile [admin] (" + config +
                         " [profile admin]) uses role_arn, which aws_start does not support: "
                         "give the profile aws_access_key_id and aws_secret_access_key, or use the instance role");
}
