// migrate-env's input: a file that is not a .env gets one line and exit 1; "KEY= # comment" is
// empty; a comment after a tab is a comment; a byte order mark is ignored; no value is ever run;
// env_file reads the same values.
#include "OldScriptEnv.h"
#include "MigrateEnvRun.h"
#include "TestSupport.h"
#include "config/Variables.h"
#include "migrate/EnvFile.h"
#include "migrate/MigrateEnv.h"

#include <doctest/doctest.h>

#include <Poco/File.h>

#include <sstream>

using namespace watchdog;

namespace {

RegionFinding nowhere(const VariableLookup&) { return {std::nullopt, "", {"AWS_REGION: not set"}}; }

test::Migrated migrateFile(const std::string& path) { return test::migrateEnvFile(path, nowhere); }

/// The one line a file that is not a .env gets.
std::string notAnEnv(const std::string& path, const std::string& why) {
    return "migrate-env: " + path + " is not a .env file: " + why + "; give the old script's .env (KEY=VALUE lines)\n";
}

const char* const kBom = "\xEF\xBB\xBF";

/// A literal with its NUL bytes kept.
template <std::size_t N>
std::string bytes(const char (&literal)[N]) {
    return std::string(literal, N - 1);
}

}  // namespace

TEST_CASE("a file that is not a .env: one clear line, exit 1, nothing on stdout") {
    test::TempDir dir;
    struct Case {
        std::string name, content, why;
    };
    const std::vector<Case> cases = {
        {"png", bytes("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "it is not UTF-8 text (line 1)"},
        {"nul", bytes("ICECAST_URL=http://x\nICECAST_PASS=a\0b\n"), "it contains NUL bytes (line 2), so it is binary data"},
        {"elf",
         bytes("\x7f"
               "ELF\x02\x01\x01"),
         "it contains control characters (line 1), so it is binary data"},
        {"yaml", "watchdog:\n  name: station\nchecks:\n  icecast: {plugin: icecast}\n",
         "none of its lines is a setting (line 1: 'watchdog:' is not KEY=VALUE)"},
        {"empty", "", "it has no KEY=VALUE line"},
        {"prose", "This folder holds the watchdog.\nRun it with python3.\nICECAST_URL=http://localhost:8000\nThanks\n",
         "most of its lines are not settings (3 of 4; line 1: 'This folder holds the watchdog.' is not KEY=VALUE)"},
        {"big", std::string(2 << 20, 'A'), "it is larger than 1 MB"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const std::string path = dir.write(c.name, c.content);
        const test::Migrated m = migrateFile(path);
        CHECK(m.code == 1);
        CHECK(m.yaml == "");
        CHECK(m.errors == notAnEnv(path, c.why));
    }
}

TEST_CASE("a folder, a device, or a file that is not there cannot be read: exit 2") {
    test::TempDir dir;
    test::Migrated m = migrateFile(dir.path());
    CHECK(m.code == 2);
    CHECK(m.errors == "migrate-env: cannot read " + dir.path() + ": it is a folder\n");
    m = migrateFile("/dev/zero");
    CHECK(m.code == 2);
    CHECK(m.errors == "migrate-env: cannot read /dev/zero: it is not a regular file\n");
    m = migrateFile(dir.file("missing.env"));
    CHECK(m.code == 2);
    CHECK(m.errors == "migrate-env: cannot read " + dir.file("missing.env") + "\n");
}

TEST_CASE("KEY= # comment is an empty value with a comment; KEY=#x is the value #x") {
    const EnvFile env = parseEnvText("A= # the comment\nB=#x\nC=v # c\nD=\nE =  # spaced\n");
    REQUIRE(env.entries.size() == 5);
    CHECK(env.entries[0].value == "");
    CHECK(env.entries[0].inlineComment == "the comment");
    CHECK(env.entries[1].value == "#x");
    CHECK(env.entries[2].value == "v");
    CHECK(env.entries[3].value == "");
    CHECK(env.entries[4].value == "");
    CHECK(env.entries[4].inlineComment == "spaced");
}

TEST_CASE("env_file reads the same values as migrate-env: comments, quotes, an empty value with a comment, a byte order mark") {
    test::TempDir dir;
    const std::string text = std::string(kBom) +
                             "ICECAST_URL=http://icecast-server-url:9000 # Your IceCast Server URL\n"
                             "export ICECAST_PASS=\"hack # me\"\nHLS_DIRECTORY='/srv/hls'\nEMPTY= #The instance ID\n"
                             "HASH=#x\nDB_NAME=watchdog #if you change db_name\n";
    const std::string path = dir.write(".env", text);
    const auto fromEnvFile = readEnvFile(path);
    std::map<std::string, std::string> fromMigrate;
    for (const auto& e : parseEnvText(text).entries) fromMigrate[e.key] = e.value;
    CHECK(fromEnvFile == fromMigrate);
    CHECK(fromEnvFile == std::map<std::string, std::string>{{"DB_NAME", "watchdog"},
                                                            {"EMPTY", ""},
                                                            {"HASH", "#x"},
                                                            {"HLS_DIRECTORY", "/srv/hls"},
                                                            {"ICECAST_PASS", "hack # me"},
                                                            {"ICECAST_URL", "http://icecast-server-url:9000"}});
}

TEST_CASE("a comment after a tab ends an unquoted value in both readers, as python-dotenv reads it") {
    test::TempDir dir;
    const std::string text = "ENABLE_DISCORD_UPDATES=True\t# on\nTABS=a\t\t#x\nSPACE_TAB=b \t# y\nNO_BLANK=c#d\nQUOTED=\"e\t# f\"\t# g\n";
    const std::string path = dir.write(".env", text);
    const std::map<std::string, std::string> expected{
        {"ENABLE_DISCORD_UPDATES", "True"}, {"NO_BLANK", "c#d"}, {"QUOTED", "e\t# f"}, {"SPACE_TAB", "b"}, {"TABS", "a"}};
    CHECK(readEnvFile(path) == expected);
    const EnvFile env = parseEnvText(text);
    std::map<std::string, std::string> fromMigrate;
    for (const auto& e : env.entries) fromMigrate[e.key] = e.value;
    CHECK(fromMigrate == expected);
    REQUIRE(env.entries.size() == 5);
    CHECK(env.entries[0].inlineComment == "on");
    CHECK(env.entries[4].inlineComment == "g");
    CHECK(env.notes.empty());
}

TEST_CASE("env_file refuses a NUL byte with the file and line") {
    test::TempDir dir;
    const std::string path = dir.write("bad.env", bytes("A=1\nB=x\0y\n"));
    try {
        readEnvFile(path);
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == path + ":2:1: contains a NUL byte: env_file must be a text file of KEY=VALUE lines");
    }
}

TEST_CASE("a UTF-8 byte order mark before the first key is ignored") {
    test::TempDir dir;
    const test::Migrated m = migrateFile(dir.write(".env", std::string(kBom) + test::oldScriptEnvWithInstance("i-0123456789abcdef0")));
    CHECK(m.code == 0);
    CHECK(m.yaml.find("    # .env\n    # IceCast Server Configuration\n") != std::string::npos);
    const test::Migrated first =
        migrateFile(dir.write("first.env", std::string(kBom) + "ICECAST_URL=http://localhost:8000\nICECAST_PASS=x\n"));
    CHECK(first.yaml.find("    url: http://localhost:8000\n") != std::string::npos);
    CHECK(first.errors.find("unknown setting") == std::string::npos);
}

TEST_CASE("nothing is run from any value: command substitutions stay text") {
    test::TempDir dir;
    const std::string ran = dir.file("ran");
    const std::string env = "ICECAST_URL=http://localhost:8000\nICECAST_PASS=`touch " + ran +
                            "1`\n"
                            "HLS_DIRECTORY=$(touch " +
                            ran + "2)\nAWS_BACKUP_INSTANCE_ID=i-1;touch " + ran +
                            "3\n"
                            "DISCORD_WEBHOOK_URL=$(touch " +
                            ran + "4)\nLOG_FILE=\"$(touch " + ran +
                            "5)\"\n"
                            "DB_USER=radio\nDB_NAME=x\nDB_HOST=$(touch " +
                            ran + "6)\n";
    const test::Migrated m = migrateFile(dir.write(".env", env));
    INFO(m.yaml);
    INFO(m.errors);
    CHECK(m.code == 0);
    for (int i = 1; i <= 6; ++i) CHECK_FALSE(Poco::File(ran + std::to_string(i)).exists());
    CHECK(m.yaml.find("    directory: '$$(touch " + ran + "2)'\n") != std::string::npos);
    CHECK(m.yaml.find("  file: '$$(touch " + ran + "5)'\n") != std::string::npos);
    CHECK(m.yaml.find("    password: ${ICECAST_PASS}\n") != std::string::npos);
    CHECK(m.yaml.find("    instance_id: ${AWS_BACKUP_INSTANCE_ID}\n") != std::string::npos);
}

TEST_CASE("a .env with 60k unknown keys lists each once, at its last line (read in linear time)") {
    test::TempDir dir;
    std::string text;
    for (int i = 0; i < 60000; ++i) text += "K" + std::to_string(i) + "=v\n";
    text += "K7=again\n";
    const test::Migrated m = migrateFile(dir.write(".env", text));
    CHECK(m.code == 1);
    CHECK(m.errors.find("  K59999 (line 60000): unknown setting, not mapped\n") != std::string::npos);
    CHECK(m.errors.find("  K7 (line 60001): unknown setting, not mapped\n") != std::string::npos);
    CHECK(m.errors.find("K7 (line 8)") == std::string::npos);
    CHECK(m.yaml.find("#   K59999\n") != std::string::npos);
}

TEST_CASE("a malformed ICECAST_URL is reported without the password it carries") {
    test::TempDir dir;
    const test::Migrated m = migrateFile(dir.write(".env",
                                                   "ICECAST_URL=http://admin:hunter2pass@ho st:99x/\nICECAST_PASS=x\n"
                                                   "HLS_DIRECTORY=/tmp\nAWS_BACKUP_INSTANCE_ID=i-0123456789abcdef0\n"));
    CHECK(m.errors.find("ICECAST_URL (line 1): 'http://***@ho st:99x/' is not a URL; no icecast check") != std::string::npos);
    CHECK(m.errors.find("hunter2") == std::string::npos);
    CHECK(m.yaml.find("hunter2") == std::string::npos);
}
