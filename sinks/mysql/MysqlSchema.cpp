#include "MysqlSchema.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace watchdog::mysql {
namespace {

const std::set<std::string> kText = {"varchar", "char", "tinytext", "text", "mediumtext", "longtext"};
const std::set<std::string> kInteger = {"bigint", "int", "mediumint"};

struct Column {
    std::string dataType;    // "varchar"
    std::string columnType;  // "varchar(50)", "enum('pass','fail')"
    bool nullable = true;
    bool hasDefault = false;
    bool autoIncrement = false;
    std::size_t maxLength = 0;
    std::string charset;
    unsigned position = 0;
};

std::map<std::string, Column> columnsOf(MysqlConnection& c, const std::string& table) {
    std::map<std::string, Column> out;
    auto rows = c.select(
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, CHARACTER_MAXIMUM_LENGTH,"
        " CHARACTER_SET_NAME, ORDINAL_POSITION"
        " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
        c.literal(table));
    for (const auto& r : rows) {
        Column col;
        col.dataType = r[1].value_or("");
        col.columnType = r[2].value_or("");
        col.nullable = r[3].value_or("YES") == "YES";
        col.hasDefault = r[4].has_value();
        col.autoIncrement = r[5].value_or("").find("auto_increment") != std::string::npos;
        col.maxLength = r[6] ? std::stoull(*r[6]) : 0;
        col.charset = r[7].value_or("");
        col.position = static_cast<unsigned>(std::stoul(r[8].value_or("0")));
        std::string name = r[0].value_or("");
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        out[name] = col;
    }
    return out;
}

[[noreturn]] void incompatible(const std::string& table, const std::string& problem) {
    throw std::runtime_error("table `" + table + "` is not compatible: " + problem + "; fix the table, rename it (RENAME TABLE `" + table +
                             "` TO `" + table + "_old`) so the sink creates a new one, or point the sink at another table");
}

// The sink inserts only `written`; any other NOT NULL column without a default would reject its rows.
void checkOtherColumns(const std::string& table, const std::map<std::string, Column>& columns, const std::set<std::string>& written) {
    for (const auto& [name, col] : columns) {
        if (written.count(name) || col.nullable || col.hasDefault || col.autoIncrement) continue;
        incompatible(table, "column `" + name + "` is NOT NULL without a default and the sink does not write it");
    }
}

void require(const std::string& table, const std::map<std::string, Column>& columns, const std::string& name,
             const std::set<std::string>& types, const std::string& expected) {
    auto it = columns.find(name);
    if (it == columns.end()) incompatible(table, "it has no column `" + name + "` (expected " + expected + ")");
    if (!types.count(it->second.dataType))
        incompatible(table, "column `" + name + "` is " + it->second.columnType + ", expected " + expected);
}

// "`id`, `timestamp`, `status`", in the table's order.
std::string listed(const std::map<std::string, Column>& columns) {
    std::vector<std::pair<unsigned, std::string>> ordered;
    for (const auto& [name, col] : columns) ordered.emplace_back(col.position, name);
    std::sort(ordered.begin(), ordered.end());
    std::string out;
    for (const auto& [position, name] : ordered) out += (out.empty() ? "`" : ", `") + name + "`";
    return out.empty() ? "none visible to this account" : out;
}

// The old script's README creates `parameter`; its code inserts into `flag_name`, so stations whose
// logging worked made that one.
std::string labelColumn(const std::string& table, const std::map<std::string, Column>& columns) {
    const bool parameter = columns.count("parameter") > 0, flagName = columns.count("flag_name") > 0;
    if (parameter && flagName)
        incompatible(table, "it has both a `parameter` and a `flag_name` column (its columns: " + listed(columns) +
                                "), and the sink writes the check's label to one only (drop the one your dashboards "
                                "do not read)");
    if (!parameter && !flagName)
        incompatible(table,
                     "it has neither a `parameter` column (the old script's README) nor a `flag_name` column "
                     "(the old script's code) for the check's label; its columns: " +
                         listed(columns));
    return parameter ? "parameter" : "flag_name";
}

MysqlSchemaInfo checkLegacy(const std::string& table, const std::map<std::string, Column>& columns) {
    MysqlSchemaInfo info;
    info.labelColumn = labelColumn(table, columns);
    require(table, columns, "timestamp", {"datetime", "timestamp"}, "DATETIME");
    require(table, columns, info.labelColumn, kText, "VARCHAR(50)");
    std::set<std::string> statusTypes = kText;
    statusTypes.insert("enum");
    require(table, columns, "status", statusTypes, "ENUM('pass','fail')");
    const Column& status = columns.at("status");
    if (status.dataType == "enum") {
        if (status.columnType.find("'pass'") == std::string::npos || status.columnType.find("'fail'") == std::string::npos)
            incompatible(table, "column `status` is " + status.columnType + ", expected ENUM('pass','fail')");
    } else if (!kText.count(status.dataType) || (status.maxLength && status.maxLength < 4)) {
        incompatible(table, "column `status` is " + status.columnType + ", expected ENUM('pass','fail')");
    }
    checkOtherColumns(table, columns, {"timestamp", info.labelColumn, "status"});
    const Column& label = columns.at(info.labelColumn);
    info.labelOrigin = info.labelColumn == "flag_name" ? "the old script's code" : "the old script's README";
    info.labelLength = label.maxLength ? label.maxLength : 50;
    info.labelCharset = label.charset;
    return info;
}

void checkRecords(MysqlConnection& c, const std::string& table) {
    auto columns = columnsOf(c, table);
    require(table, columns, "seq", {"bigint"}, "BIGINT UNSIGNED");
    require(table, columns, "time_ms", {"bigint"}, "BIGINT");
    require(table, columns, "time", {"datetime", "timestamp"}, "DATETIME(3)");
    require(table, columns, "kind", {"enum", "varchar", "char"}, "ENUM('result','event')");
    for (const char* name : {"pipeline", "check_id", "label", "summary", "record"}) require(table, columns, name, kText, "a text column");
    require(table, columns, "status", {"enum", "varchar", "char"}, "ENUM('pass','fail','error')");
    for (const char* name : {"event_type", "unit", "error", "details"}) require(table, columns, name, kText, "a text column");
    require(table, columns, "value", {"double", "float", "decimal"}, "DOUBLE");
    require(table, columns, "duration_ms", kInteger, "BIGINT");
    checkOtherColumns(table, columns,
                      {"seq", "time_ms", "time", "kind", "pipeline", "check_id", "label", "status", "event_type", "value", "unit",
                       "summary", "error", "duration_ms", "details", "record"});
    // Without the unique key a replayed batch could be stored twice.
    auto unique = c.select(
        "SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
        " AND TABLE_NAME = " +
        c.literal(table) +
        " AND NON_UNIQUE = 0 GROUP BY INDEX_NAME"
        " HAVING SUM(COLUMN_NAME = 'seq') = 1 AND SUM(COLUMN_NAME = 'time_ms') = 1 AND COUNT(*) = 2");
    if (unique.empty()) incompatible(table, "it has no UNIQUE KEY (seq, time_ms)");
}

}  // namespace

bool isPlainTableName(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    for (char ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '$') return false;
    return true;
}

std::string legacyCreateStatement(const std::string& table) {
    return "CREATE TABLE IF NOT EXISTS " + table +
           " (\n"
           "    id INT AUTO_INCREMENT PRIMARY KEY,\n"
           "    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,\n"
           "    parameter VARCHAR(50),\n"
           "    status ENUM('pass', 'fail') NOT NULL\n"
           ")";
}

std::string recordsCreateStatement(const std::string& table) {
    return "CREATE TABLE IF NOT EXISTS `" + table +
           "` (\n"
           "    id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,\n"
           "    seq BIGINT UNSIGNED NOT NULL,\n"
           "    time_ms BIGINT NOT NULL,\n"
           "    time DATETIME(3) NULL,\n"
           "    kind ENUM('result', 'event') NOT NULL,\n"
           "    pipeline VARCHAR(255) NOT NULL,\n"
           "    check_id VARCHAR(255) NOT NULL,\n"
           "    label VARCHAR(255) NOT NULL,\n"
           "    status ENUM('pass', 'fail', 'error') NULL,\n"
           "    event_type VARCHAR(32) NULL,\n"
           "    value DOUBLE NULL,\n"
           "    unit VARCHAR(64) NULL,\n"
           "    summary TEXT NOT NULL,\n"
           "    error TEXT NULL,\n"
           "    duration_ms BIGINT NULL,\n"
           "    details TEXT NULL,\n"
           "    record MEDIUMTEXT NULL,\n"
           "    UNIQUE KEY seq_time (seq, time_ms),\n"
           "    KEY by_time (time_ms)\n"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
}

MysqlSchemaInfo prepareSchema(MysqlConnection& c, const MysqlTables& tables) {
    auto legacy = columnsOf(c, tables.legacy);
    const bool created = legacy.empty();
    if (created) {
        c.execute(legacyCreateStatement("`" + tables.legacy + "`"));
        legacy = columnsOf(c, tables.legacy);
    }
    c.execute(recordsCreateStatement(tables.records));
    MysqlSchemaInfo info = checkLegacy(tables.legacy, legacy);
    if (created) info.labelOrigin = "created now, as the old script's README has it";
    checkRecords(c, tables.records);
    return info;
}

}  // namespace watchdog::mysql
