#pragma once

#include <chrono>
#include <cstdint>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace watchdog::sqlite {

/// One connection to an SQLite file through SQLite's own C API (no Poco::Data: loading it cost the
/// daemon 2 MiB of resident memory for the few statements the sink runs). Errors throw
/// std::runtime_error with SQLite's message.
class SqliteConnection {
public:
    /// Opens (creating) the file read-write, with the busy timeout for locks held by others.
    SqliteConnection(const std::string& path, std::chrono::milliseconds busyTimeout);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    /// Runs one or more statements that return no rows (or whose rows are not wanted).
    void execute(const std::string& sql);
    /// The first column of the first row of a query, as text ("" without a row).
    std::string scalar(const std::string& sql);
    /// Compiles one statement; the caller finalizes it (Statement does).
    sqlite3_stmt* prepare(const std::string& sql);
    /// Throws "DOING: SQLite's message" when `rc` is not OK, DONE or ROW.
    void check(int rc, const std::string& doing) const;
    /// The raw handle, for binding and stepping prepared statements.
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

/// A prepared statement, finalized when it goes.
class SqliteStatement {
public:
    /// Prepares `sql` on `connection`.
    SqliteStatement(SqliteConnection& connection, const std::string& sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    /// The compiled statement, for sqlite3_bind_* and sqlite3_step.
    sqlite3_stmt* get() const { return stmt_; }

private:
    sqlite3_stmt* stmt_;
};

}  // namespace watchdog::sqlite
