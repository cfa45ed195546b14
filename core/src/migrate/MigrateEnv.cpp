#include "migrate/MigrateEnv.h"

#include "migrate/BackupAction.h"
#include "migrate/EnvFile.h"
#include "migrate/Migration.h"
#include "migrate/ScriptSwitch.h"
#include "migrate/YamlText.h"

#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/URI.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include <sys/stat.h>

namespace watchdog {

namespace {

/// The URL as text with anything between "://" and the last "@" before the host shown as ***: a
/// malformed URL may still carry a password, and messages never show one.
std::string withoutUserInfo(const std::string& url) {
    const auto scheme = url.find("://");
    const std::size_t from = scheme == std::string::npos ? 0 : scheme + 3;
    const auto hostEnd = url.find_first_of("/?#", from);
    const auto at = url.rfind('@', hostEnd == std::string::npos ? std::string::npos : hostEnd);
    if (at == std::string::npos || at < from) return url;
    return url.substr(0, from) + "***" + url.substr(at);
}

// What the script used when its .env left a key out: the defaults in its config.py, which differ
// from its sample .env for MAX_TS_FILES (sample 20), EXCLUDE_FILES (sample index.html,live.m3u8)
// and DISCORD_UPDATE_INTERVAL (sample 3600).
constexpr const char* defaultCpuThreshold = "20.0";
constexpr const char* defaultMaxTsFiles = "10";
constexpr long long defaultOldFileSeconds = 900;
constexpr long long defaultWaitSeconds = 300;
constexpr long long defaultUpdateSeconds = 300;

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
            m.unmapped("ICECAST_URL (line " + std::to_string(url->line) +
                       ") carries credentials; they were removed from url: put the password in ICECAST_PASS");
            uri.setUserInfo("");
        }
        // The script polled /admin/stats itself; the plugin takes the server's base URL.
        std::string path = uri.getPath();
        for (const char* suffix : {"/admin/stats.xml", "/admin/stats", "/admin/listmounts", "/status-json.xsl"})
            if (path.size() >= std::string(suffix).size() &&
                path.compare(path.size() - std::string(suffix).size(), std::string::npos, suffix) == 0)
                path.resize(path.size() - std::string(suffix).size());
        uri.setPath(path);
        uri.setQuery("");
        address = uri.toString();
    } catch (const Poco::Exception&) {
        m.unmapped("ICECAST_URL (line " + std::to_string(url->line) + "): '" + withoutUserInfo(url->value) +
                   "' is not a URL; no icecast check");
        return s;
    }
    s.ids.push_back("icecast");
    s.yaml += "  icecast:\n    plugin: icecast\n    label: Icecast Sources\n";
    s.yaml += Migration::commentsOf(url, 4) + "    url: " + yamlLiteral(address) + "\n";
    s.yaml += Migration::commentsOf(user, 4) + "    user: " + yamlLiteral(user && !user->value.empty() ? user->value : "admin") + "\n";
    s.yaml += Migration::commentsOf(pass, 4) + "    password: " + reference(pass) + "\n";
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
    s.yaml += "  ts_age:\n    plugin: hls_age\n    label: HLS Old Files\n";
    s.yaml += "    directory: " + yamlLiteral(dir->value) + "\n";
    // The script skipped EXCLUDE_FILES in its age check only; its count check counted every .ts file.
    s.yaml += Migration::commentsOf(exclude, 4) + defaultNote(exclude, "EXCLUDE_FILES", "(none)");
    s.yaml += "    exclude: " + yamlLiteralList(splitList(exclude ? exclude->value : "")) + "\n";
    s.yaml += Migration::commentsOf(oldAge, 4) + defaultNote(oldAge, "OLD_FILE_THRESHOLD", "900 s");
    s.yaml += "    max_age: " + durationOr(m, oldAge, defaultOldFileSeconds) + "\n";
    return s;
}

Section discordAction(Migration& m, const ScriptSwitch& enabled) {
    Section s;
    if (!enabled.on) {
        m.take({"DISCORD_WEBHOOK_URL", "DISCORD_WEBHOOK"});
        m.take({"DISCORD_UPDATE_INTERVAL"});
        s.yaml = switchedOffNote(enabled, "discord action and no rule that notifies", "the script sent nothing to Discord", 2);
        return s;
    }
    const EnvEntry* url = m.require({"DISCORD_WEBHOOK_URL", "DISCORD_WEBHOOK"}, "no discord action (no warnings, status or alerts)");
    if (url == nullptr) return s;
    s.ids.push_back("discord");
    s.yaml += Migration::commentsOf(enabled.entry, 2) + "  discord:\n    plugin: discord_notify\n";
    s.yaml += Migration::commentsOf(url, 4) + "    webhook_url: " + reference(url) + "\n";
    return s;
}

std::string mysqlSink(Migration& m, const ScriptSwitch& enabled) {
    const EnvEntry* host = m.take({"MYSQL_HOST", "DB_HOST"});
    const EnvEntry* port = m.take({"MYSQL_PORT", "DB_PORT"});
    const EnvEntry* user = m.take({"MYSQL_USER", "DB_USER"});
    const EnvEntry* pass = m.take({"MYSQL_PASSWORD", "MYSQL_PASS", "DB_PASSWORD", "DB_PASS"});
    const EnvEntry* db = m.take({"MYSQL_DATABASE", "MYSQL_DB", "DB_NAME", "DB_DATABASE"});
    if (!enabled.on) return switchedOffNote(enabled, "mysql sink", "the script wrote nothing to MySQL", 2);
    if (host == nullptr && user == nullptr && db == nullptr && pass == nullptr) {
        if (enabled.entry != nullptr)
            m.unmapped(whereIs(enabled.entry) + " is True but DB_HOST, DB_USER and DB_NAME are not set: no mysql sink");
        return {};
    }
    if (user == nullptr || user->value.empty() || db == nullptr || db->value.empty()) {
        m.unmapped("the MySQL settings need a user and a database (DB_USER, DB_NAME); no mysql sink");
        return {};
    }
    std::string y = Migration::commentsOf(enabled.entry, 2) + "  - plugin: mysql\n";
    y += Migration::commentsOf(host, 4) + "    host: " + yamlLiteral(host && !host->value.empty() ? host->value : "127.0.0.1") + "\n";
    if (port != nullptr && !port->value.empty()) y += "    port: " + numberOr(m, port, "3306", true) + "\n";
    y += Migration::commentsOf(user, 4) + "    user: " + yamlLiteral(user->value) + "\n";
    if (pass != nullptr && !pass->value.empty()) y += Migration::commentsOf(pass, 4) + "    password: " + reference(pass) + "\n";
    y += Migration::commentsOf(db, 4) + "    database: " + yamlLiteral(db->value) + "\n";
    return y;
}

std::string actionList(const std::vector<std::string>& ids) {
    std::string out = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + ids[i];
    return out + "]";
}

std::string rules(Migration& m, const std::vector<std::string>& checks, bool discord, bool backup, bool discordSwitchedOff) {
    const EnvEntry* wait = m.take({"WAIT_TIME_BEFORE_BACKUP"});
    const EnvEntry* update = m.take({"DISCORD_UPDATE_INTERVAL"});
    if (!discord && !backup) {
        // With Discord switched off, the missing instance id has been reported already.
        if (!discordSwitchedOff) m.unmapped("neither Discord nor the backup instance could be mapped: the pipeline has no rules to act on");
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
        y += Migration::commentsOf(update, 2) + defaultNote(update, "DISCORD_UPDATE_INTERVAL", "300 s", 2);
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
        if (levels.count(l) != 0)
            y += "  level: " + l + "\n";
        else
            m.unmapped("LOG_LEVEL (line " + std::to_string(level->line) + "): '" + level->value + "' is not a log level");
    }
    return y;
}

// A .env is a few kilobytes; anything past this is some other file.
constexpr std::streamsize kMaxEnvBytes = 1 << 20;

/// Reads the file whole; on failure prints one line and returns nullopt with the exit code in `code`.
std::optional<std::string> readEnvText(const std::string& path, std::ostream& err, int& code) {
    code = 2;
    struct stat st {};
    // A folder cannot be read; a FIFO or a device would block or never end (migrate-env /dev/zero).
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        err << "migrate-env: cannot read " << path << (S_ISDIR(st.st_mode) ? ": it is a folder\n" : ": it is not a regular file\n");
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    std::string text(static_cast<std::size_t>(kMaxEnvBytes) + 1, '\0');
    if (in) in.read(&text[0], kMaxEnvBytes + 1);
    if (!in && !in.eof()) {
        err << "migrate-env: cannot read " << path << "\n";
        return std::nullopt;
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (in.gcount() > kMaxEnvBytes) {
        err << "migrate-env: " << path << " is not a .env file: it is larger than 1 MB; give the old script's .env (KEY=VALUE lines)\n";
        code = 1;
        return std::nullopt;
    }
    return text;
}

}  // namespace

int migrateEnv(const std::string& envPath, std::ostream& out, std::ostream& err, const RegionFinder& findRegion) {
    int code = 0;
    const std::optional<std::string> text = readEnvText(envPath, err, code);
    if (!text) return code;
    EnvFile parsed = parseEnvText(*text);
    if (const std::string why = notAnEnvFile(*text, parsed); !why.empty()) {
        err << "migrate-env: " << envPath << " is not a .env file: " << why << "; give the old script's .env (KEY=VALUE lines)\n";
        return 1;
    }
    const std::string absolute = Poco::Path(envPath).absolute().toString();
    Migration m(std::move(parsed));

    const std::string head = watchdogSection(m, absolute);
    const std::string log = logSection(m);
    const ScriptSwitch discordOn = readScriptSwitch(m, "ENABLE_DISCORD_UPDATES", "Discord");
    const ScriptSwitch databaseOn = readScriptSwitch(m, "ENABLE_DB_LOGGING", "MySQL logging");
    Section ice = icecastCheck(m), cpu = cpuCheck(m), hls = hlsChecks(m);
    Section discord = discordAction(m, discordOn), backup = backupAction(m, findRegion);
    std::vector<std::string> checkIds;
    for (const Section* s : {&ice, &cpu, &hls}) checkIds.insert(checkIds.end(), s->ids.begin(), s->ids.end());
    const std::string ruleText = rules(m, checkIds, !discord.ids.empty(), !backup.ids.empty(), !discordOn.on);
    const std::string mysql = mysqlSink(m, databaseOn);

    out << "# Pipeline generated by `encoder-watchdog migrate-env` from " << absolute << "\n"
        << "# Check it with `encoder-watchdog validate`, then `encoder-watchdog check` runs every check once.\n\n"
        << head << log << "\nchecks:\n"
        << ice.yaml << cpu.yaml << hls.yaml;
    if (!discord.ids.empty() || !backup.ids.empty())
        out << "\nactions:\n" << discord.yaml << backup.yaml;
    else if (!discord.yaml.empty())
        out << "\n" << discord.yaml;
    if (!ruleText.empty()) out << "\n" << ruleText;
    out << "\nsinks:\n  - { plugin: sqlite, path: history.db }   # history for `history` and the status page\n" << mysql;

    // Each unknown key once, at its last (the effective) line; linear, so a huge file costs no more
    // than reading it.
    std::unordered_map<std::string, const EnvEntry*> last;
    std::vector<std::string> unknown;
    for (const auto& e : m.env().entries) {
        if (m.used().count(e.key) != 0) continue;
        if (last.emplace(e.key, &e).second)
            unknown.push_back(e.key);
        else
            last[e.key] = &e;
    }
    if (!unknown.empty()) {
        out << "\n# Not mapped from the .env (no equivalent here):\n";
        for (const auto& k : unknown) out << "#   " << k << "\n";
    }

    std::vector<std::string> problems;
    for (const auto& p : m.env().problems) problems.push_back(p + " (env_file will refuse the file until this line is fixed)");
    for (const auto& n : m.env().notes) problems.push_back(n);
    for (const auto& u : m.unmappedList()) problems.push_back(u);
    for (const auto& k : unknown) problems.push_back(whereIs(last.at(k)) + ": unknown setting, not mapped");
    if (!problems.empty()) {
        err << "migrate-env: " << problems.size() << " thing" << (problems.size() == 1 ? "" : "s") << " in " << envPath
            << " could not be mapped:\n";
        for (const auto& p : problems) err << "  " << p << "\n";
    }
    for (const auto& w : m.warnings()) err << "migrate-env: warning: " << w << "\n";
    for (const auto& i : m.information()) err << "migrate-env: " << i << "\n";
    return problems.empty() ? 0 : 1;
}

}  // namespace watchdog
