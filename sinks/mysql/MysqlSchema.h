#pragma once

#include "MysqlConnection.h"

#include <string>

namespace watchdog::mysql {

/// The two tables the mysql sink writes.
struct MysqlTables {
    std::string legacy = "monitoring_logs";    ///< the old script's table: id, timestamp, parameter|flag_name, status
    std::string records = "watchdog_records";  ///< every record with its details, unique by (seq, time_ms); events also as JSON
};

/// What open() learned about the tables; found again on every (re)connect.
struct MysqlSchemaInfo {
    std::string labelColumn = "parameter";  ///< the legacy column for the check's label: `parameter` or `flag_name`
    std::string labelOrigin;                ///< where that shape comes from, for the log: "the old script's code", ...
    std::size_t labelLength = 50;           ///< characters the label column holds (labels are cut to fit)
    std::string labelCharset = "utf8mb4";   ///< its character set (an old table may be latin1 or utf8mb3)
};

/// The old script's CREATE statement, exactly, for `table`.
std::string legacyCreateStatement(const std::string& table);
/// The CREATE statement of the records table.
std::string recordsCreateStatement(const std::string& table);

/// Creates missing tables, then checks that existing ones hold the columns the sink writes with
/// compatible types, and finds the legacy table's label column (exactly one of `parameter`, as the old
/// script's README creates it, or `flag_name`, as its code inserts). Throws std::runtime_error naming
/// the table, the column (or the columns found) and what to do.
MysqlSchemaInfo prepareSchema(MysqlConnection& connection, const MysqlTables& tables);

/// True if `name` is a plain table name ([A-Za-z0-9_$], 1 to 64 characters).
bool isPlainTableName(const std::string& name);

}  // namespace watchdog::mysql
