// migrate-env: the old script's .env becomes a pipeline; what cannot be mapped is listed.
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

struct Migrated {
    int code = 0;
    std::string yaml;
    std::string errors;
};

Migrated migrate(const test::TempDir& dir, const std::string& env) {
    const std::string path = dir.write(".env", env);
    std::ostringstream out, err;
    Migrated m;
    m.code = migrateEnv(path, out, err);
    m.yaml = out.str();
    m.errors = err.str();
    return m;
}

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
    Migrated m = migrate(dir, oldEnv);
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
    CHECK(m.yaml.find("exclude: [index.html, live.m3u8, extra.txt]") != std::string::npos);
    CHECK(valueAt(m.yaml, "checks.ts_age.max_age") == "10m");
    CHECK(valueAt(m.yaml, "actions.discord.webhook_url") == "${DISCORD_WEBHOOK_URL}");
    CHECK(valueAt(m.yaml, "actions.backup.instance_id") == "${AWS_BACKUP_INSTANCE_ID}");
    CHECK(valueAt(m.yaml, "actions.backup.region") == "eu-west-2");
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

TEST_CASE("keys the .env leaves out get the defaults the script documented") {
    test::TempDir dir;
    Migrated m = migrate(dir, "ICECAST_URL=http://localhost:8000\nICECAST_PASS=x\nHLS_DIRECTORY=/srv/hls\n"
                              "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/t\nAWS_BACKUP_INSTANCE_ID=i-1\n");
    INFO(m.yaml);
    CHECK(m.code == 1);
    CHECK(m.errors.find("AWS_REGION is not set: add region: to actions.backup") != std::string::npos);
    CHECK(valueAt(m.yaml, "checks.liquidsoap_cpu.min_percent") == "20.0");
    CHECK(valueAt(m.yaml, "checks.ts_count.max_files") == "20");
    CHECK(m.yaml.find("exclude: [index.html, live.m3u8]") != std::string::npos);
    CHECK(valueAt(m.yaml, "checks.ts_age.max_age") == "15m");
    CHECK(valueAt(m.yaml, "rules.failover.wait") == "5m");
    CHECK(valueAt(m.yaml, "rules.status.every") == "1h");
    CHECK(m.yaml.find("# CPU_LOAD_THRESHOLD is not in the .env: the script's default 20.0") != std::string::npos);
    CHECK(!has(m.yaml, "actions.backup.region"));
    CHECK(m.yaml.find("plugin: mysql") == std::string::npos);
}

TEST_CASE("unknown keys, missing values and bad numbers are listed and the rest still maps") {
    test::TempDir dir;
    Migrated m = migrate(dir, "ICECAST_URL=http://localhost:8000\nICECAST_PASS=\nHLS_DIRECTORY=/srv/hls\n"
                              "MAX_TS_FILES=twenty\nCPU_LOAD_THRESHOLD=12.5\nSLACK_TOKEN=xoxb-secret\n"
                              "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/t\n");
    INFO(m.yaml);
    INFO(m.errors);
    CHECK(m.code == 1);
    CHECK(m.errors.find("ICECAST_PASS (line 2) has no value: no icecast check") != std::string::npos);
    CHECK(m.errors.find("MAX_TS_FILES (line 4): 'twenty' is not a number; used the default 20") != std::string::npos);
    CHECK(m.errors.find("SLACK_TOKEN (line 6): unknown setting, not mapped") != std::string::npos);
    CHECK(m.errors.find("AWS_BACKUP_INSTANCE_ID is not set: no backup action") != std::string::npos);
    CHECK(m.errors.find("xoxb") == std::string::npos);
    CHECK(!has(m.yaml, "checks.icecast"));
    CHECK(valueAt(m.yaml, "checks.ts_count.max_files") == "20");
    CHECK(valueAt(m.yaml, "rules.failover.when") == "2 of [liquidsoap_cpu, ts_count, ts_age]");
    CHECK(!has(m.yaml, "rules.failover.then"));
    CHECK(!has(m.yaml, "actions.backup"));
    CHECK(m.yaml.find("#   SLACK_TOKEN") != std::string::npos);
    CHECK(m.yaml.find("xoxb") == std::string::npos);
}

TEST_CASE("odd quoting: lines env_file would refuse and values that read oddly are reported") {
    test::TempDir dir;
    Migrated m = migrate(dir, "ICECAST_URL=http://localhost:8000\nICECAST_PASS='unterminated\nthis is not a setting\n"
                              "HLS_DIRECTORY=\"/srv/hls\" trailing\n1BAD-KEY=3\nCPU_LOAD_THRESHOLD = 30\nCPU_LOAD_THRESHOLD=40\n");
    INFO(m.errors);
    CHECK(m.code == 1);
    CHECK(m.errors.find("line 2: ICECAST_PASS has an opening single quote without a closing one (env_file will refuse") != std::string::npos);
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
    Migrated m = migrate(dir, "ICECAST_URL=http://localhost:8000\nICECAST_PASS=x\nICECAST_USER=no\nHLS_DIRECTORY='/srv/it''s $HOME # x'\n");
    INFO(m.yaml);
    CHECK(valueAt(m.yaml, "checks.icecast.user") == "no");
    CHECK(valueAt(m.yaml, "checks.ts_count.directory") == "/srv/it");
    CHECK(yamlLiteral("a'b $c: #d") == "'a''b $$c: #d'");
    CHECK(yamlLiteral("yes") == "'yes'");
    CHECK(yamlLiteral("/var/www/hls") == "/var/www/hls");
    CHECK(yamlLiteral("") == "''");
    CHECK(yamlLiteralList({"a,b", "c"}) == "['a,b', c]");
}
