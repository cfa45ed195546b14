#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

struct st_mysql;
struct st_mysql_stmt;

namespace watchdog::mysql {

struct MariaDbApi;

/// Where and how to connect.
struct MysqlSettings {
    std::string host = "127.0.0.1";                  ///< server host (ignored when `socket` is set)
    unsigned port = 3306;                            ///< TCP port
    std::string socket;                              ///< unix socket path; when set, TCP is not used
    std::string user;                                ///< account name
    std::string password;                            ///< account password (never logged)
    std::string database;                            ///< database holding the tables
    std::string tls = "disabled";                    ///< disabled | required (encrypted) | verify (encrypted, certificate and host checked)
    std::string tlsCa;                               ///< CA file for `verify` (PEM)
    std::chrono::milliseconds connectTimeout{5000};  ///< login timeout
    std::chrono::milliseconds ioTimeout{30000};      ///< read/write timeout of one statement

    /// "host:port/database" or "socket/database", for messages.
    std::string where() const;
};

/// A MySQL/MariaDB error with the server's or client's error number.
class MysqlError : public std::runtime_error {
public:
    /// `code` is mysql_errno (0 for errors raised here).
    MysqlError(unsigned code, const std::string& message) : std::runtime_error(message), code_(code) {}
    /// mysql_errno, e.g. 1045 access denied, 2006 server gone away.
    unsigned code() const { return code_; }
    /// True when the connection is unusable (cannot connect, gone away, lost): reconnect and retry.
    bool connectionLost() const;
    /// True when a table or column a statement names is gone (renamed or dropped since the connection
    /// checked the tables): reconnect, which checks them again.
    bool staleSchema() const;

private:
    unsigned code_;
};

/// One value bound to a `?`: NULL, an integer, a double or a string.
using MysqlValue = std::variant<std::monostate, long long, double, std::string>;
/// A result row: NULL columns are nullopt.
using MysqlRow = std::vector<std::optional<std::string>>;

/// One connection through the MariaDB client library (libmariadb), without auto-reconnect: a lost
/// connection throws, so a transaction is never half-replayed on a new connection.
class MysqlConnection {
public:
    /// Loads the client library on first use, then connects (utf8mb4); throws MysqlError.
    explicit MysqlConnection(const MysqlSettings& settings);
    ~MysqlConnection();
    MysqlConnection(const MysqlConnection&) = delete;
    MysqlConnection& operator=(const MysqlConnection&) = delete;

    /// Runs one statement that returns no rows.
    void execute(const std::string& sql);
    /// Runs one query and returns every row as text.
    std::vector<MysqlRow> select(const std::string& sql);
    /// A quoted, escaped string literal for this connection's character set.
    std::string literal(const std::string& text);
    /// Inserts rows with prepared multi-row statements: `head` is "INSERT INTO t (a, b) VALUES ",
    /// `rowTemplate` is "(?, ?)" (it may wrap placeholders in functions), `values` is row-major with
    /// `columns` values per row. Statements are prepared once per row count and reused.
    void insertRows(const std::string& head, const std::string& rowTemplate, std::size_t columns, const std::vector<MysqlValue>& values);
    /// Rows per prepared statement in insertRows.
    static constexpr std::size_t kRowsPerStatement = 500;

private:
    [[noreturn]] void fail(const std::string& doing);
    st_mysql_stmt* prepared(const std::string& sql);

    const MariaDbApi& db_;
    st_mysql* mysql_ = nullptr;
    std::map<std::string, st_mysql_stmt*> statements_;
};

}  // namespace watchdog::mysql
