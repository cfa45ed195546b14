#include "migrate/MigrateEnv.h"

#include "migrate/EnvFile.h"
#include "migrate/YamlText.h"
#include "watchdog/Duration.h"

#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace watchdog {

namespace {

// The old script's settings and the defaults it documented (DESIGN.md, "What it replaces").
constexpr const char* defaultCpuThreshold = "20.0";
constexpr const char* defaultMaxTsFiles = "20";
constexpr const char* defaultExcludeFiles = "index.html,live.m3u8";
constexpr long long defaultOldFileSeconds = 900;
constexpr long long defaultWaitSeconds = 300;
constexpr long long defaultUpdateSeconds = 3600;

/// Reads settings from the .env, remembering which keys it used and what it could not map.
class Migration {
public:
    explicit Migration(EnvFile env) : env_(std::move(env)) {}

    /// The entry for the first of `keys` present in the file (aliases), marking it used.
    const EnvEntry* take(std::initializer_list<const char*> keys) {
        for (const char* k : keys)
            if (const EnvEntry* e = env_.find(k)) {
                used_.insert(e->key);
                return e;
            }
        return nullptr;
    }
    /// A value that must not be empty; reports and returns nullptr when missing or empty.
    const EnvEntry* require(std::initializer_list<const char*> keys, const std::string& dropped) {
        const EnvEntry* e = take(keys);
        if (e == nullptr) unmapped(std::string(*keys.begin()) + " is not set: " + dropped);
        else if (e->value.empty()) unmapped(e->key + " (line " + std::to_string(e->line) + ") has no value: " + dropped);
        return e != nullptr && !e->value.empty() ? e : nullptr;
    }
    /// Records something that could not be mapped.
    void unmapped(const std::string& message) { unmapped_.push_back(message); }
    /// The comments above and beside an entry, as YAML comment lines.
    static std::string commentsOf(const EnvEntry* e, int indent) {
        if (e == nullptr) return {};
        std::string out;
        for (const auto& c : e->comments) out += yamlComment(c, indent);
        if (!e->inlineComment.empty()) out += yamlComment(e->inlineComment, indent);
        return out;
    }

    const EnvFile& env() const { return env_; }
    const std::set<std::string>& used() const { return used_; }
    const std::vector<std::string>& unmappedList() const { return unmapped_; }

private:
    EnvFile env_;
    std::set<std::string> used_;
    std::vector<std::string> unmapped_;
};

bool isNumber(const std::string& s, bool wholeOnly) {
    if (s.empty()) return false;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (*end != '\0' || !std::isfinite(v) || v < 0) return false;
    return !wholeOnly || v == std::floor(v);
}

/// A number from the .env, or the default when missing or malformed (reported).
std::string numberOr(Migration& m, const EnvEntry* e, const char* fallback, bool wholeOnly) {
    if (e == nullptr || e->value.empty()) return fallback;
    std::string v = e->value;
    if (wholeOnly && isNumber(v, false) && !isNumber(v, true)) {
        m.unmapped(e->key + " (line " + std::to_string(e->line) + "): '" + v + "' is not a whole number; used the default " + fallback);
        return fallback;
    }
    if (!isNumber(v, wholeOnly)) {
        m.unmapped(e->key + " (line " + std::to_string(e->line) + "): '" + v + "' is not a number; used the default " + fallback);
        return fallback;
    }
    // "20" stays 20, "020" becomes 20: YAML 1.1 would read a leading zero as octal.
    while (v.size() > 1 && v[0] == '0' && std::isdigit(static_cast<unsigned char>(v[1]))) v.erase(0, 1);
    return v;
}

/// Seconds from the .env ("900", or already "15m") as a pipeline duration, or the default.
std::string durationOr(Migration& m, const EnvEntry* e, long long fallbackSeconds) {
    const std::string fallback = formatDuration(std::chrono::seconds(fallbackSeconds));
    if (e == nullptr || e->value.empty()) return fallback;
    if (isNumber(e->value, false)) {
        const double secs = std::strtod(e->value.c_str(), nullptr);
        if (secs > 0) return formatDuration(std::chrono::milliseconds(static_cast<long long>(std::llround(secs * 1000))));
    } else if (auto d = parseDuration(e->value); d && d->count() > 0) {
        return formatDuration(*d);
    }
    m.unmapped(e->key + " (line " + std::to_string(e->line) + "): '" + e->value + "' is not a number of seconds; used the default " + fallback);
    return fallback;
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        const auto b = item.find_first_not_of(" \t");
        const auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos) items.push_back(item.substr(b, e - b + 1));
    }
    return items;
}

std::string ref(const EnvEntry* e) { return "${" + e->key + "}"; }

std::string defaultNote(const EnvEntry* e, const std::string& key, const std::string& value, int indent = 4) {
    if (e != nullptr && !e->value.empty()) return {};
    return yamlComment(key + " is not in the .env: the script's default " + value, indent);
}

struct Section {
    std::string yaml;
    std::vector<std::string> ids;
};

Section icecastCheck(Migration& m) {
    Section s;
    const EnvEntry* url = m.require({"ICECAST_URL"}, "no icecast check");
    const EnvEntry* user = m.take({"ICECAST_USER"});
    const EnvEntry* pass = m.require({"ICECAST_PASS", "ICECAST_PASSWORD"}, "no icecast check");
    if (url == nullptr || pass == nullptr) return s;
    std::string address = url->value;
    try {
        Poco::URI uri(address);
        if (!uri.getUserInfo().empty()) {
            m.unmapped("ICECAST_URL (line " + std::to_string(url->line) + ") carries credentials; they were removed from url: put the password in ICECAST_PASS");
            uri.setUserInfo("");
        }
        // The script polled /admin/stats itself; the plugin takes the server's base URL.
        std::string path = uri.getPath();
        for (const char* suffix : {"/admin/stats.xml", "/admin/stats", "/admin/listmounts", "/status-json.xsl"})
            if (path.size() >= std::string(suffix).size() && path.compare(path.size() - std::string(suffix).size(), std::string::npos, suffix) == 0)
                path.resize(path.size() - std::string(suffix).size());
        uri.setPath(path);
        uri.setQuery("");
        address = uri.toString();
    } catch (const Poco::Exception&) {
        m.unmapped("ICECAST_URL (line " + std::to_string(url->line) + "): '" + url->value + "' is not a URL; no icecast check");
        return s;
    }
    s.ids.push_back("icecast");
    s.yaml += "  icecast:\n    plugin: icecast\n    label: Icecast Sources\n";
    s.yaml += Migration::commentsOf(url, 4) + "    url: " + yamlLiteral(address) + "\n";
    s.yaml += Migration::commentsOf(user, 4) + "    user: " + yamlLiteral(user && !user->value.empty() ? user->value : "admin") + "\n";
    s.yaml += Migration::commentsOf(pass, 4) + "    password: " + ref(pass) + "\n";
    return s;
}

Section cpuCheck(Migration& m) {
    Section s;
    const EnvEntry* threshold = m.take({"CPU_LOAD_THRESHOLD"});
    const EnvEntry* name = m.take({"LIQUIDSOAP_PROCESS_NAME", "LIQUIDSOAP_PROCESS", "PROCESS_NAME"});
    s.ids.push_back("liquidsoap_cpu");
    s.yaml += "  liquidsoap_cpu:\n    plugin: process_cpu\n    label: Liquidsoap CPU\n";
    s.yaml += Migration::commentsOf(name, 4) + "    name: " + yamlLiteral(name && !name->value.empty() ? name->value : "liquidsoap") + "\n";
    s.yaml += Migration::commentsOf(threshold, 4) + defaultNote(threshold, "CPU_LOAD_THRESHOLD", defaultCpuThreshold);
    s.yaml += "    min_percent: " + numberOr(m, threshold, defaultCpuThreshold, false) + "\n";
    s.yaml += "    fail_after: 3              # the script counted low readings in a row\n";
    return s;
}

Section hlsChecks(Migration& m) {
    Section s;
    const EnvEntry* dir = m.require({"HLS_DIRECTORY", "HLS_DIR"}, "no ts_count and ts_age checks");
    const EnvEntry* maxFiles = m.take({"MAX_TS_FILES"});
    const EnvEntry* exclude = m.take({"EXCLUDE_FILES"});
    const EnvEntry* oldAge = m.take({"OLD_FILE_THRESHOLD"});
    if (dir == nullptr) return s;
    s.ids = {"ts_count", "ts_age"};
    s.yaml += "  ts_count:\n    plugin: hls_count\n    label: TS File Count\n";
    s.yaml += Migration::commentsOf(dir, 4) + "    directory: " + yamlLiteral(dir->value) + "\n";
    s.yaml += Migration::commentsOf(maxFiles, 4) + defaultNote(maxFiles, "MAX_TS_FILES", defaultMaxTsFiles);
    s.yaml += "    max_files: " + numberOr(m, maxFiles, defaultMaxTsFiles, true) + "\n";
    s.yaml += Migration::commentsOf(exclude, 4) + defaultNote(exclude, "EXCLUDE_FILES", defaultExcludeFiles);
    s.yaml += "    exclude: " + yamlLiteralList(splitList(exclude ? exclude->value : defaultExcludeFiles)) + "\n";
    s.yaml += "  ts_age:\n    plugin: hls_age\n    label: HLS Old Files\n";
    s.yaml += "    directory: " + yamlLiteral(dir->value) + "\n";
    s.yaml += Migration::commentsOf(oldAge, 4) + defaultNote(oldAge, "OLD_FILE_THRESHOLD", "900 s");
    s.yaml += "    max_age: " + durationOr(m, oldAge, defaultOldFileSeconds) + "\n";
    return s;
}

Section discordAction(Migration& m) {
    Section s;
    const EnvEntry* url = m.require({"DISCORD_WEBHOOK_URL", "DISCORD_WEBHOOK"}, "no discord action (no warnings, status or alerts)");
    if (url == nullptr) return s;
    s.ids.push_back("discord");
    s.yaml += "  discord:\n    plugin: discord_notify\n";
    s.yaml += Migration::commentsOf(url, 4) + "    webhook_url: " + ref(url) + "\n";
    return s;
}

Section backupAction(Migration& m) {
    Section s;
    const EnvEntry* id = m.require({"AWS_BACKUP_INSTANCE_ID"}, "no backup action (nothing is started on failover)");
    const EnvEntry* region = m.take({"AWS_REGION", "AWS_DEFAULT_REGION"});
    const EnvEntry* keyId = m.take({"AWS_ACCESS_KEY_ID"});
    const EnvEntry* secret = m.take({"AWS_SECRET_ACCESS_KEY"});
    if (id == nullptr) return s;
    s.ids.push_back("backup");
    s.yaml += "  backup:\n    plugin: aws_start\n";
    s.yaml += Migration::commentsOf(id, 4) + "    instance_id: " + ref(id) + "\n";
    if (region != nullptr && !region->value.empty())
        s.yaml += Migration::commentsOf(region, 4) + "    region: " + yamlLiteral(region->value) + "\n";
    else
        m.unmapped("AWS_REGION is not set: add region: to actions.backup (the script's AWS CLI read it from ~/.aws/config), "
                   "or set AWS_REGION in the daemon's environment");
    if (keyId != nullptr && secret != nullptr && !keyId->value.empty() && !secret->value.empty()) {
        s.yaml += Migration::commentsOf(keyId, 4) + "    access_key_id: " + ref(keyId) + "\n";
        s.yaml += Migration::commentsOf(secret, 4) + "    secret_access_key: " + ref(secret) + "\n";
    } else if ((keyId != nullptr) != (secret != nullptr)) {
        m.unmapped("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together; only one is set, so neither was used");
    }
    return s;
}

std::string mysqlSink(Migration& m) {
    const EnvEntry* host = m.take({"MYSQL_HOST", "DB_HOST"});
    const EnvEntry* port = m.take({"MYSQL_PORT", "DB_PORT"});
    const EnvEntry* user = m.take({"MYSQL_USER", "DB_USER"});
    const EnvEntry* pass = m.take({"MYSQL_PASSWORD", "MYSQL_PASS", "DB_PASSWORD", "DB_PASS"});
    const EnvEntry* db = m.take({"MYSQL_DATABASE", "MYSQL_DB", "DB_NAME", "DB_DATABASE"});
    if (host == nullptr && user == nullptr && db == nullptr && pass == nullptr) return {};
    if (user == nullptr || user->value.empty() || db == nullptr || db->value.empty()) {
        m.unmapped("the MySQL settings need a user and a database (MYSQL_USER, MYSQL_DATABASE); no mysql sink");
        return {};
    }
    std::string y = "  - plugin: mysql\n";
    y += Migration::commentsOf(host, 4) + "    host: " + yamlLiteral(host && !host->value.empty() ? host->value : "127.0.0.1") + "\n";
    if (port != nullptr && !port->value.empty()) y += "    port: " + numberOr(m, port, "3306", true) + "\n";
    y += Migration::commentsOf(user, 4) + "    user: " + yamlLiteral(user->value) + "\n";
    if (pass != nullptr && !pass->value.empty()) y += Migration::commentsOf(pass, 4) + "    password: " + ref(pass) + "\n";
    y += Migration::commentsOf(db, 4) + "    database: " + yamlLiteral(db->value) + "\n";
    return y;
}

std::string actionList(const std::vector<std::string>& ids) {
    std::string out = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + ids[i];
    return out + "]";
}

std::string rules(Migration& m, const std::vector<std::string>& checks, bool discord, bool backup) {
    const EnvEntry* wait = m.take({"WAIT_TIME_BEFORE_BACKUP"});
    const EnvEntry* update = m.take({"DISCORD_UPDATE_INTERVAL"});
    if (!discord && !backup) {
        m.unmapped("neither Discord nor the backup instance could be mapped: the pipeline has no rules to act on");
        return {};
    }
    std::string y = "rules:\n  failover:\n";
    const std::size_t threshold = std::min<std::size_t>(2, checks.size());
    y += "    when: " + std::to_string(threshold) + " of " + actionList(checks) + "   # the script acted when two or more failed\n";
    if (discord) y += "    warn: [discord]\n";
    y += Migration::commentsOf(wait, 4) + defaultNote(wait, "WAIT_TIME_BEFORE_BACKUP", "300 s");
    y += "    wait: " + durationOr(m, wait, defaultWaitSeconds) + "\n";
    if (backup) y += "    then: [backup]\n";
    if (discord) {
        y += "    recover: [discord]\n";
        y += "  online: { on: startup, then: [discord] }\n";
        y += Migration::commentsOf(update, 2) + defaultNote(update, "DISCORD_UPDATE_INTERVAL", "3600 s", 2);
        y += "  status: { every: " + durationOr(m, update, defaultUpdateSeconds) + ", then: [discord] }\n";
        y += "  errors: { on: check_error, then: [discord], throttle: 15m }\n";
    }
    return y;
}

std::string watchdogSection(Migration& m, const std::string& envPath) {
    const EnvEntry* interval = m.take({"CHECK_INTERVAL", "MONITOR_INTERVAL", "INTERVAL"});
    std::string y = "watchdog:\n";
    y += Migration::commentsOf(interval, 2);
    if (interval != nullptr) y += "  interval: " + durationOr(m, interval, 60) + "\n";
    y += "  env_file: " + yamlLiteral(envPath) + "   # secrets stay there; keep it mode 0600\n";
    return y;
}

std::string logSection(Migration& m) {
    const EnvEntry* file = m.take({"LOG_FILE"});
    const EnvEntry* level = m.take({"LOG_LEVEL"});
    std::string y = "log:\n  console: true\n";
    y += Migration::commentsOf(file, 2) + "  file: " + yamlLiteral(file && !file->value.empty() ? file->value : "watchdog.log") + "\n";
    y += "  rotation: daily\n";
    if (level != nullptr && !level->value.empty()) {
        std::string l;
        for (char c : level->value) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (l == "info") l = "information";
        if (l == "warn") l = "warning";
        static const std::set<std::string> levels = {"fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"};
        if (levels.count(l) != 0) y += "  level: " + l + "\n";
        else m.unmapped("LOG_LEVEL (line " + std::to_string(level->line) + "): '" + level->value + "' is not a log level");
    }
    return y;
}

}  // namespace

int migrateEnv(const std::string& envPath, std::ostream& out, std::ostream& err) {
    std::ifstream in(envPath);
    if (!in) {
        err << "migrate-env: cannot read " << envPath << "\n";
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        err << "migrate-env: cannot read " << envPath << "\n";
        return 2;
    }
    const std::string absolute = Poco::Path(envPath).absolute().toString();
    Migration m(parseEnvText(text.str()));

    const std::string head = watchdogSection(m, absolute);
    const std::string log = logSection(m);
    Section ice = icecastCheck(m), cpu = cpuCheck(m), hls = hlsChecks(m);
    Section discord = discordAction(m), backup = backupAction(m);
    std::vector<std::string> checkIds;
    for (const Section* s : {&ice, &cpu, &hls}) checkIds.insert(checkIds.end(), s->ids.begin(), s->ids.end());
    const std::string ruleText = rules(m, checkIds, !discord.ids.empty(), !backup.ids.empty());
    const std::string mysql = mysqlSink(m);

    out << "# Pipeline generated by `encoder-watchdog migrate-env` from " << absolute << "\n"
        << "# Check it with `encoder-watchdog validate`, then `encoder-watchdog check` runs every check once.\n\n"
        << head << log << "\nchecks:\n" << ice.yaml << cpu.yaml << hls.yaml;
    if (!discord.ids.empty() || !backup.ids.empty()) out << "\nactions:\n" << discord.yaml << backup.yaml;
    if (!ruleText.empty()) out << "\n" << ruleText;
    out << "\nsinks:\n  - { plugin: sqlite, path: history.db }   # history for `history` and the status page\n" << mysql;

    std::vector<std::string> unknown;
    for (const auto& e : m.env().entries)
        if (m.used().count(e.key) == 0 && std::find(unknown.begin(), unknown.end(), e.key) == unknown.end()) unknown.push_back(e.key);
    if (!unknown.empty()) {
        out << "\n# Not mapped from the .env (no equivalent here):\n";
        for (const auto& k : unknown) out << "#   " << k << "\n";
    }

    std::vector<std::string> problems;
    for (const auto& p : m.env().problems) problems.push_back(p + " (env_file will refuse the file until this line is fixed)");
    for (const auto& n : m.env().notes) problems.push_back(n);
    for (const auto& u : m.unmappedList()) problems.push_back(u);
    for (const auto& k : unknown) {
        const EnvEntry* e = m.env().find(k);
        problems.push_back(k + " (line " + std::to_string(e->line) + "): unknown setting, not mapped");
    }
    if (problems.empty()) return 0;
    err << "migrate-env: " << problems.size() << " thing" << (problems.size() == 1 ? "" : "s") << " in " << envPath
        << " could not be mapped:\n";
    for (const auto& p : problems) err << "  " << p << "\n";
    return 1;
}

}  // namespace watchdog
