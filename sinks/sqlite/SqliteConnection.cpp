#include "SqliteConnection.h"

#include <sqlite3.h>

#include <stdexcept>

namespace watchdog::sqlite {

SqliteConnection::SqliteConnection(const std::string& path, std::chrono::milliseconds busyTimeout) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        throw std::runtime_error(message);
    }
    sqlite3_busy_timeout(db_, static_cast<int>(busyTimeout.count()));
}

SqliteConnection::~SqliteConnection() { sqlite3_close_v2(db_); }

void SqliteConnection::check(int rc, const std::string& doing) const {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) throw std::runtime_error(doing + ": " + sqlite3_errmsg(db_));
}

void SqliteConnection::execute(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return;
    const std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw std::runtime_error(sql.substr(0, 40) + ": " + message);
}

std::string SqliteConnection::scalar(const std::string& sql) {
    SqliteStatement statement(*this, sql);
    const int rc = sqlite3_step(statement.get());
    check(rc, sql.substr(0, 40));
    if (rc != SQLITE_ROW) return {};
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), 0));
    return text ? text : "";
}

sqlite3_stmt* SqliteConnection::prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    check(sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr), "prepare " + sql.substr(0, 40));
    return stmt;
}

SqliteStatement::SqliteStatement(SqliteConnection& connection, const std::string& sql) : stmt_(connection.prepare(sql)) {}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

}  // namespace watchdog::sqlite
