// migrate-env: the old script's .env becomes a pipeline; what cannot be mapped is listed.
#include "OldScriptEnv.h"
#include "MigrateEnvRun.h"
#include "TestSupport.h"
#include "config/ConfigNode.h"
#include "migrate/EnvFile.h"
#include "migrate/MigrateEnv.h"
#include "migrate/YamlText.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace watchdog;

namespace {

// The shape of the old script's .env: every key of the table in DESIGN.md, its comments and the
// defaults it documents, with the quoting people actually use.
const char* const oldEnv = R"(# Icecast server
ICECAST_URL=http://127.0.0.1:8000/admin/stats
ICECAST_USER=admin
ICECAST_PASS="hack me # not a comment"

# Liquidsoap CPU threshold in percent (default 20.0)
CPU_LOAD_THRESHOLD=15.5

# HLS output
HLS_DIRECTORY='/var/www/html/hls'
MAX_TS_FILES=25   # more than this means the encoder is not cleaning up
EXCLUDE_FILES=index.html, live.m3u8,extra.txt
OLD_FILE_THRESHOLD=600

# Failover
WAIT_TIME_BEFORE_BACKUP=120
export AWS_BACKUP_INSTANCE_ID=i-0abc123def4567890
AWS_REGION=eu-west-2

# Discord
DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/123/abc$def
DISCORD_UPDATE_INTERVAL=1800

# MySQL logging
MYSQL_HOST=db.local
MYSQL_USER=watchdog
MYSQL_PASSWORD=p@ss'word
MYSQL_DATABASE=monitoring
)";

/// A region lookup that finds nothing anywhere, so no test depends on the machine's AWS setup.
RegionFinding nowhere(const VariableLookup&) { return {std::nullopt, "", {"AWS_REGION: not set", "AWS_DEFAULT_REGION: not set"}}; }

/// The scalar at a dotted path in the generated YAML ("checks.icecast.url").
std::string valueAt(const std::string& yaml, const std::string& dotted) {
    auto root = parseYaml(yaml, "pipeline.yaml");
    const ConfigNode* node = root.get();
    std::istringstream parts(dotted);
    std::string part;
    while (node != nullptr && std::getline(parts, part, '.')) node = node->find(part);
    REQUIRE_MESSAGE(node != nullptr, dotted);
    return node->raw;
}

bool has(const std::string& yaml, const std::string& dotted) {
    auto root = parseYaml(yaml, "pipeline.yaml");
    const ConfigNode* node = root.get();
    std::istringstream parts(dotted);
    std::string part;
    while (node != nullptr && std::getline(parts, part, '.')) node = node->find(part);
    return node != nullptr;
}

}  // namespace

TEST_CASE("the old script's .env maps every key, keeps secrets as ${VAR} and points env_file at the .env") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(dir, oldEnv);
    INFO(m.yaml);
    INFO(m.errors);
    CHECK(m.code == 0);
    CHECK(m.errors.empty());
    CHECK(valueAt(m.yaml, "watchdog.env_file") == dir.file(".env"));
    CHECK(valueAt(m.yaml, "checks.icecast.plugin") == "icecast");
    CHECK(valueAt(m.yaml, "checks.icecast.label") == "Icecast Sources");
    CHECK(valueAt(m.yaml, "checks.icecast.url") == "http://127.0.0.1:8000");
    CHECK(valueAt(m.yaml, "checks.icecast.user") == "admin");
    CHECK(valueAt(m.yaml, "checks.icecast.password") == "${ICECAST_PASS}");
    CHECK(valueAt(m.yaml, "checks.liquidsoap_cpu.plugin") == "process_cpu");
    CHECK(valueAt(m.yaml, "checks.liquidsoap_cpu.min_percent") == "15.5");
    CHECK(valueAt(m.yaml, "checks.liquidsoap_cpu.fail_after") == "3");
    CHECK(valueAt(m.yaml, "checks.ts_count.directory") == "/var/www/html/hls");
    CHECK(valueAt(m.yaml, "checks.ts_count.max_files") == "25");
    CHECK(m.yaml.find("    exclude: [index.html, live.m3u8, extra.txt]") != std::string::npos);
    CHECK(has(m.yaml, "checks.ts_age.exclude"));
    CHECK_FALSE(has(m.yaml, "checks.ts_count.exclude"));
    CHECK(valueAt(m.yaml, "checks.ts_age.max_age") == "10m");
    CHECK(valueAt(m.yaml, "actions.discord.webhook_url") == "${DISCORD_WEBHOOK_URL}");
    CHECK(valueAt(m.yaml, "actions.backup.instance_id") == "${AWS_BACKUP_INSTANCE_ID}");
    CHECK(valueAt(m.yaml, "actions.backup.region") == "eu-west-2");
    CHECK(m.yaml.find("    region: eu-west-2   # from AWS_REGION in the .env\n") != std::string::npos);
    CHECK(valueAt(m.yaml, "rules.failover.when") == "2 of [icecast, liquidsoap_cpu, ts_count, ts_age]");
    CHECK(valueAt(m.yaml, "rules.failover.wait") == "2m");
    CHECK(valueAt(m.yaml, "rules.status.every") == "30m");
    CHECK(m.yaml.find("password: ${MYSQL_PASSWORD}") != std::string::npos);
    CHECK(m.yaml.find("database: monitoring") != std::string::npos);
    // No secret value is copied into the pipeline.
    CHECK(m.yaml.find("hack me") == std::string::npos);
    CHECK(m.yaml.find("p@ss") == std::string::npos);
    CHECK(m.yaml.find("abc$def") == std::string::npos);
    CHECK(m.yaml.find("i-0abc") == std::string::npos);
    // The .env's comments come along.
    CHECK(m.yaml.find("# Liquidsoap CPU threshold in percent (default 20.0)") != std::string::npos);
    CHECK(m.yaml.find("# more than this means the encoder is not cleaning up") != std::string::npos);
}

TEST_CASE("keys the .env leaves out get the defaults of the script's code (config.py), not of its sample") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(dir,
                                            "ICECAST_URL=http://localhost:8000\nICECAST_PASS=x\nHLS_DIRECTORY=/srv/hls\n"
                                            "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/t\nAWS_BACKUP_INSTANCE_ID=i-1\n",
                                            nowhere);
    INFO(m.yaml);
    CHECK(m.code == 0);
    CHECK(valueAt(m.yaml, "checks.liquidsoap_cpu.min_percent") == "20.0");
    CHECK(valueAt(m.yaml, "checks.ts_count.max_files") == "10");
    CHECK(m.yaml.find("    # EXCLUDE_FILES is not in the .env: the script's default (none)\n    exclude: []\n") != std::string::npos);
    CHECK(valueAt(m.yaml, "checks.ts_age.max_age") == "15m");
    CHECK(valueAt(m.yaml, "rules.failover.wait") == "5m");
    CHECK(valueAt(m.yaml, "rules.status.every") == "5m");
    CHECK(m.yaml.find("# CPU_LOAD_THRESHOLD is not in the .env: the script's default 20.0") != std::string::npos);
    CHECK(m.yaml.find("# MAX_TS_FILES is not in the .env: the script's default 10") != std::string::npos);
    CHECK(m.yaml.find("  # DISCORD_UPDATE_INTERVAL is not in the .env: the script's default 300 s") != std::string::npos);
    CHECK(m.yaml.find("plugin: mysql") == std::string::npos);
}

TEST_CASE("unknown keys, missing values and bad numbers are listed and the rest still maps") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(dir,
                                            "ICECAST_URL=http://localhost:8000\nICECAST_PASS=\nHLS_DIRECTORY=/srv/hls\n"
                                            "MAX_TS_FILES=twenty\nCPU_LOAD_THRESHOLD=12.5\nSLACK_TOKEN=xoxb-secret\n"
                                            "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/t\n");
    INFO(m.yaml);
    INFO(m.errors);
    CHECK(m.code == 1);
    CHECK(m.errors.find("ICECAST_PASS (line 2) has no value: no icecast check") != std::string::npos);
    CHECK(m.errors.find("MAX_TS_FILES (line 4): 'twenty' is not a number; used the default 10") != std::string::npos);
    CHECK(m.errors.find("SLACK_TOKEN (line 6): unknown setting, not mapped") != std::string::npos);
    CHECK(m.errors.find("AWS_BACKUP_INSTANCE_ID is not set: no backup action") != std::string::npos);
    CHECK(m.errors.find("xoxb") == std::string::npos);
    CHECK(!has(m.yaml, "checks.icecast"));
    CHECK(valueAt(m.yaml, "checks.ts_count.max_files") == "10");
    CHECK(valueAt(m.yaml, "rules.failover.when") == "2 of [liquidsoap_cpu, ts_count, ts_age]");
    CHECK(!has(m.yaml, "rules.failover.then"));
    CHECK(!has(m.yaml, "actions.backup"));
    CHECK(m.yaml.find("#   SLACK_TOKEN") != std::string::npos);
    CHECK(m.yaml.find("xoxb") == std::string::npos);
}

TEST_CASE("odd quoting: lines env_file would refuse and values that read oddly are reported") {
    test::TempDir dir;
    test::Migrated m =
        test::migrateEnvText(dir,
                             "ICECAST_URL=http://localhost:8000\nICECAST_PASS='unterminated\nthis is not a setting\n"
                             "HLS_DIRECTORY=\"/srv/hls\" trailing\n1BAD-KEY=3\nCPU_LOAD_THRESHOLD = 30\nCPU_LOAD_THRESHOLD=40\n");
    INFO(m.errors);
    CHECK(m.code == 1);
    CHECK(m.errors.find("line 2: ICECAST_PASS has an opening single quote without a closing one (env_file will refuse") !=
          std::string::npos);
    CHECK(m.errors.find("line 3: 'this is not a setting' is not KEY=VALUE") != std::string::npos);
    CHECK(m.errors.find("line 4: HLS_DIRECTORY: the text after the closing quote is ignored ('trailing')") != std::string::npos);
    CHECK(m.errors.find("line 5: '1BAD-KEY' is not a variable name") != std::string::npos);
    CHECK(m.errors.find("line 7: CPU_LOAD_THRESHOLD is also set on line 6; the last value is used") != std::string::npos);
    CHECK(valueAt(m.yaml, "checks.liquidsoap_cpu.min_percent") == "40");
    CHECK(valueAt(m.yaml, "checks.ts_count.directory") == "/srv/hls");
}

TEST_CASE("a .env that cannot be read gives exit code 2 and one line") {
    std::ostringstream out, err;
    CHECK(migrateEnv("/nonexistent/.env", out, err) == 2);
    CHECK(err.str() == "migrate-env: cannot read /nonexistent/.env\n");
    CHECK(out.str().empty());
}

TEST_CASE("literal values read back exactly: YAML words, quotes, '$' and '#' are protected") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(
        dir, "ICECAST_URL=http://localhost:8000\nICECAST_PASS=x\nICECAST_USER=no\nHLS_DIRECTORY='/srv/it''s $HOME # x'\n");
    INFO(m.yaml);
    CHECK(valueAt(m.yaml, "checks.icecast.user") == "no");
    CHECK(valueAt(m.yaml, "checks.ts_count.directory") == "/srv/it");
    CHECK(yamlLiteral("a'b $c: #d") == "'a''b $$c: #d'");
    CHECK(yamlLiteral("yes") == "'yes'");
    CHECK(yamlLiteral("/var/www/hls") == "/var/www/hls");
    CHECK(yamlLiteral("") == "''");
    CHECK(yamlLiteralList({"a,b", "c"}) == "['a,b', c]");
}

namespace {

RegionFinding inProfile(const VariableLookup&) { return {std::string("eu-west-2"), "/root/.aws/config [default]", {}}; }

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
    return text;
}

// What a station running the script with its sample .env gets (its comments come along).
const char* const kSamplePipeline = R"(# Pipeline generated by `encoder-watchdog migrate-env` from ENV_PATH
# Check it with `encoder-watchdog validate`, then `encoder-watchdog check` runs every check once.

watchdog:
  env_file: ENV_PATH   # secrets stay there; keep it mode 0600
log:
  console: true
  file: watchdog.log
  rotation: daily

checks:
  icecast:
    plugin: icecast
    label: Icecast Sources
    # .env
    # IceCast Server Configuration
    # Your IceCast Server URL
    url: http://icecast-server-url:9000
    # Your IceCast admin user
    user: adminusername
    # Your IceCast admin password
    password: ${ICECAST_PASS}
  liquidsoap_cpu:
    plugin: process_cpu
    label: Liquidsoap CPU
    name: liquidsoap
    # CPU Load Config
    # Set the CPU load threshold (in percentage)
    min_percent: 20.0
    fail_after: 3              # the script counted low readings in a row
  ts_count:
    plugin: hls_count
    label: TS File Count
    # HLS Directory Config
    # Path to your HLS directory as set in your liquidsoap script
    directory: /path/to/HLS
    # The expected number of .ts files in the HLS directory
    max_files: 20
  ts_age:
    plugin: hls_age
    label: HLS Old Files
    directory: /path/to/HLS
    # you generally want to exclude any non .ts files
    exclude: [index.html, live.m3u8]
    # Set the old file threshold (in seconds, e.g., 900 seconds = 15 minutes)
    max_age: 15m

actions:
  # Discord Config
  # Set to True to enable Discord updates
  discord:
    plugin: discord_notify
    webhook_url: ${DISCORD_WEBHOOK_URL}
  backup:
    plugin: aws_start
    # Backup instance id (this can be found in the aws console, or by using the aws cli to list instances.)
    # The instance ID of your server that will be the backup encoder.
    instance_id: ${AWS_BACKUP_INSTANCE_ID}
    region: eu-west-2   # from /root/.aws/config [default]

rules:
  failover:
    when: 2 of [icecast, liquidsoap_cpu, ts_count, ts_age]   # the script acted when two or more failed
    warn: [discord]
    # Spin up threshhold - VERY IMPORTANT
    # Set the wait time before bringing up the backup encoder server (in seconds)
    wait: 5m
    then: [backup]
    recover: [discord]
  online: { on: startup, then: [discord] }
  # Duration to wait for updates (in seconds, default is 900 seconds = 15 minutes)
  status: { every: 1h, then: [discord] }
  errors: { on: check_error, then: [discord], throttle: 15m }

sinks:
  - { plugin: sqlite, path: history.db }   # history for `history` and the status page
  # Database Config
  # Set to True to enable MySQL logging
  - plugin: mysql
    host: localhost
    user: username
    password: ${DB_PASS}
    # if you change db_name here make sure to change the db_name in the scq schema below.
    database: watchdog
)";

}  // namespace

TEST_CASE("the script's own sample .env with an instance id filled in maps every key and exits 0") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(dir, test::oldScriptEnvWithInstance("i-0123456789abcdef0"), inProfile);
    CHECK(m.errors == "");
    CHECK(m.code == 0);
    CHECK(m.yaml == replaced(kSamplePipeline, "ENV_PATH", dir.file(".env")));
}

TEST_CASE("the sample .env as published: its empty AWS_BACKUP_INSTANCE_ID (with a comment) is the one thing not mapped") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(dir, test::kOldScriptSampleEnv, inProfile);
    CHECK(m.code == 1);
    CHECK(m.errors == "migrate-env: 1 thing in " + dir.file(".env") +
                          " could not be mapped:\n"
                          "  AWS_BACKUP_INSTANCE_ID (line 32) has no value: no backup action (nothing is started on failover)\n");
    CHECK_FALSE(has(m.yaml, "actions.backup"));
    CHECK(m.yaml.find("    warn: [discord]\n") != std::string::npos);
}

TEST_CASE("ENABLE_DISCORD_UPDATES=False: no discord action and no rule that notifies") {
    test::TempDir dir;
    const std::string env =
        replaced(test::oldScriptEnvWithInstance("i-0123456789abcdef0"), "ENABLE_DISCORD_UPDATES=True", "ENABLE_DISCORD_UPDATES=False");
    test::Migrated m = test::migrateEnvText(dir, env, inProfile);
    INFO(m.yaml);
    CHECK(m.errors == "");
    CHECK(m.code == 0);
    CHECK_FALSE(has(m.yaml, "actions.discord"));
    CHECK(m.yaml.find("discord_notify") == std::string::npos);
    CHECK(m.yaml.find("actions:\n  # Discord Config\n  # Set to True to enable Discord updates\n"
                      "  # no discord action and no rule that notifies: ENABLE_DISCORD_UPDATES=False in the .env "
                      "(the script sent nothing to Discord)\n  backup:\n") != std::string::npos);
    CHECK(
        m.yaml.find(
            "rules:\n  failover:\n    when: 2 of [icecast, liquidsoap_cpu, ts_count, ts_age]   # the script acted when two or more failed\n"
            "    # Spin up threshhold - VERY IMPORTANT\n"
            "    # Set the wait time before bringing up the backup encoder server (in seconds)\n"
            "    wait: 5m\n    then: [backup]\n\nsinks:\n") != std::string::npos);
    for (const char* rule : {"rules.online", "rules.status", "rules.errors", "rules.failover.warn", "rules.failover.recover"})
        CHECK_MESSAGE(!has(m.yaml, rule), rule);
    CHECK(m.yaml.find("#   DISCORD") == std::string::npos);  // its keys are understood, not "not mapped"
}

TEST_CASE("ENABLE_DB_LOGGING=False: no mysql sink, the sqlite history stays") {
    test::TempDir dir;
    const std::string env =
        replaced(test::oldScriptEnvWithInstance("i-0123456789abcdef0"), "ENABLE_DB_LOGGING=True", "ENABLE_DB_LOGGING=False");
    test::Migrated m = test::migrateEnvText(dir, env, inProfile);
    CHECK(m.errors == "");
    CHECK(m.code == 0);
    CHECK(m.yaml.find("plugin: mysql") == std::string::npos);
    CHECK(m.yaml.find("\nsinks:\n  - { plugin: sqlite, path: history.db }   # history for `history` and the status page\n"
                      "  # Database Config\n  # Set to True to enable MySQL logging\n"
                      "  # no mysql sink: ENABLE_DB_LOGGING=False in the .env (the script wrote nothing to MySQL)\n") != std::string::npos);
    CHECK(m.yaml.find("#   DB_") == std::string::npos);
}

TEST_CASE("the switches read as the script's config.py: os.getenv(KEY, 'True') == 'True'") {
    const std::string base =
        "ICECAST_URL=http://localhost:8000\nICECAST_PASS=x\nHLS_DIRECTORY=/srv/hls\n"
        "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/t\nAWS_BACKUP_INSTANCE_ID=i-1\n"
        "DB_USER=radio\nDB_NAME=watchdog\n";
    struct Case {
        const char* lines;
        bool discord, mysql;
    };
    for (const Case& c : {Case{"", true, true}, Case{"ENABLE_DISCORD_UPDATES=True\nENABLE_DB_LOGGING=True\n", true, true},
                          Case{"ENABLE_DISCORD_UPDATES=False\nENABLE_DB_LOGGING=False\n", false, false},
                          Case{"ENABLE_DISCORD_UPDATES=false\nENABLE_DB_LOGGING=0\n", false, false},
                          Case{"ENABLE_DISCORD_UPDATES=\nENABLE_DB_LOGGING= # off\n", false, false},
                          Case{"ENABLE_DISCORD_UPDATES=\"True\"\nENABLE_DB_LOGGING='True'\n", true, true}}) {
        test::TempDir dir;
        test::Migrated m = test::migrateEnvText(dir, base + c.lines, nowhere);
        INFO(c.lines);
        CHECK(m.code == 0);
        CHECK(has(m.yaml, "actions.discord") == c.discord);
        CHECK((m.yaml.find("plugin: mysql") != std::string::npos) == c.mysql);
    }
}

TEST_CASE("a switch people read as yes but the script read as off stays off with a warning, and the migration exits 0") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(dir,
                                            "ICECAST_URL=http://localhost:8000\nICECAST_PASS=x\nHLS_DIRECTORY=/srv/hls\n"
                                            "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/t\nAWS_BACKUP_INSTANCE_ID=i-1\n"
                                            "DB_USER=radio\nDB_NAME=watchdog\nENABLE_DISCORD_UPDATES=true\nENABLE_DB_LOGGING=1\n",
                                            inProfile);
    CHECK(m.code == 0);
    CHECK(m.errors ==
          "migrate-env: warning: ENABLE_DISCORD_UPDATES (line 8) is 'true': the old script compared it with 'True' exactly, so it "
          "treated 'true' as off; Discord stays off here (write ENABLE_DISCORD_UPDATES=True to turn it on)\n"
          "migrate-env: warning: ENABLE_DB_LOGGING (line 9) is '1': the old script compared it with 'True' exactly, so it "
          "treated '1' as off; MySQL logging stays off here (write ENABLE_DB_LOGGING=True to turn it on)\n");
    CHECK_FALSE(has(m.yaml, "actions.discord"));
    CHECK(m.yaml.find("plugin: mysql") == std::string::npos);
}

TEST_CASE("ENABLE_DB_LOGGING=True without the DB_ settings is reported") {
    test::TempDir dir;
    test::Migrated m = test::migrateEnvText(
        dir,
        "ICECAST_URL=http://localhost:8000\nICECAST_PASS=x\nHLS_DIRECTORY=/srv/hls\n"
        "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/t\nAWS_BACKUP_INSTANCE_ID=i-1\nENABLE_DB_LOGGING=True\n",
        inProfile);
    CHECK(m.code == 1);
    CHECK(m.errors.find("  ENABLE_DB_LOGGING (line 6) is True but DB_HOST, DB_USER and DB_NAME are not set: no mysql sink\n") !=
          std::string::npos);
}
