#include "MysqlConnection.h"

#include "MariaDbLibrary.h"

#include <mysql.h>
#include <errmsg.h>

#include <algorithm>
#include <cstring>

namespace watchdog::mysql {
namespace {

unsigned seconds(std::chrono::milliseconds ms) { return static_cast<unsigned>(std::max<long long>(1, (ms.count() + 999) / 1000)); }

}  // namespace

std::string MysqlSettings::where() const { return (socket.empty() ? host + ":" + std::to_string(port) : socket) + "/" + database; }

bool MysqlError::connectionLost() const {
    switch (code_) {
        case CR_CONNECTION_ERROR:
        case CR_CONN_HOST_ERROR:
        case CR_SERVER_GONE_ERROR:
        case CR_SERVER_LOST:
        case CR_UNKNOWN_HOST:
        case CR_SERVER_LOST_EXTENDED:
        case 1053:  // ER_SERVER_SHUTDOWN: the server is shutting down
        case 1927:  // ER_CONNECTION_KILLED
            return true;
        default:
            return false;
    }
}

bool MysqlError::staleSchema() const {
    return code_ == 1054      // ER_BAD_FIELD_ERROR: unknown column
           || code_ == 1146;  // ER_NO_SUCH_TABLE
}

MysqlConnection::MysqlConnection(const MysqlSettings& settings) : db_(mariaDb()) {
    mysql_ = db_.init(nullptr);
    if (!mysql_) throw MysqlError(0, "out of memory (mysql_init)");
    unsigned connectTimeout = seconds(settings.connectTimeout), ioTimeout = seconds(settings.ioTimeout);
    db_.options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout);
    db_.options(mysql_, MYSQL_OPT_READ_TIMEOUT, &ioTimeout);
    db_.options(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout);
    db_.options(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    my_bool no = 0;
    db_.options(mysql_, MYSQL_OPT_RECONNECT, &no);
    if (settings.tls != "disabled") {
        my_bool yes = 1;
        db_.options(mysql_, MYSQL_OPT_SSL_ENFORCE, &yes);
        if (settings.tls == "verify") db_.options(mysql_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
        if (!settings.tlsCa.empty()) db_.options(mysql_, MYSQL_OPT_SSL_CA, settings.tlsCa.c_str());
    }
    const char* host = settings.host.c_str();
    const char* socket = nullptr;
    if (!settings.socket.empty()) {
        unsigned protocol = MYSQL_PROTOCOL_SOCKET;
        db_.options(mysql_, MYSQL_OPT_PROTOCOL, &protocol);
        host = "localhost";
        socket = settings.socket.c_str();
    } else {
        // "localhost" would make libmariadb use its default unix socket, not the TCP port asked for.
        unsigned protocol = MYSQL_PROTOCOL_TCP;
        db_.options(mysql_, MYSQL_OPT_PROTOCOL, &protocol);
    }
    if (!db_.real_connect(mysql_, host, settings.user.c_str(), settings.password.c_str(),
                          settings.database.empty() ? nullptr : settings.database.c_str(), settings.port, socket, 0)) {
        MysqlError error(db_.errno_(mysql_), db_.error(mysql_));
        db_.close(mysql_);
        mysql_ = nullptr;
        throw error;
    }
}

MysqlConnection::~MysqlConnection() {
    for (auto& [sql, stmt] : statements_) db_.stmt_close(stmt);
    if (mysql_) db_.close(mysql_);
}

void MysqlConnection::fail(const std::string& doing) { throw MysqlError(db_.errno_(mysql_), doing + ": " + db_.error(mysql_)); }

void MysqlConnection::execute(const std::string& sql) {
    if (db_.real_query(mysql_, sql.data(), sql.size()) != 0) fail(sql.substr(0, 60));
    if (MYSQL_RES* res = db_.store_result(mysql_)) db_.free_result(res);
}

std::vector<MysqlRow> MysqlConnection::select(const std::string& sql) {
    if (db_.real_query(mysql_, sql.data(), sql.size()) != 0) fail(sql.substr(0, 60));
    MYSQL_RES* res = db_.store_result(mysql_);
    if (!res) {
        if (db_.errno_(mysql_) != 0) fail(sql.substr(0, 60));
        return {};
    }
    std::vector<MysqlRow> rows;
    unsigned fields = db_.num_fields(res);
    while (MYSQL_ROW row = db_.fetch_row(res)) {
        unsigned long* lengths = db_.fetch_lengths(res);
        MysqlRow out(fields);
        for (unsigned i = 0; i < fields; ++i)
            if (row[i]) out[i] = std::string(row[i], lengths[i]);
        rows.push_back(std::move(out));
    }
    db_.free_result(res);
    return rows;
}

std::string MysqlConnection::literal(const std::string& text) {
    std::string out(text.size() * 2 + 3, '\0');
    out[0] = '\'';
    unsigned long n = db_.real_escape_string(mysql_, &out[1], text.data(), text.size());
    out.resize(n + 1);
    return out + "'";
}

st_mysql_stmt* MysqlConnection::prepared(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return it->second;
    MYSQL_STMT* stmt = db_.stmt_init(mysql_);
    if (!stmt) fail("mysql_stmt_init");
    if (db_.stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
        MysqlError error(db_.stmt_errno(stmt), "prepare " + sql.substr(0, 60) + ": " + db_.stmt_error(stmt));
        db_.stmt_close(stmt);
        throw error;
    }
    statements_.emplace(sql, stmt);
    return stmt;
}

void MysqlConnection::insertRows(const std::string& head, const std::string& rowTemplate, std::size_t columns,
                                 const std::vector<MysqlValue>& values) {
    const std::size_t rows = columns ? values.size() / columns : 0;
    std::vector<MYSQL_BIND> binds;
    std::vector<unsigned long> lengths;
    std::vector<my_bool> nulls;
    for (std::size_t first = 0; first < rows; first += kRowsPerStatement) {
        const std::size_t count = std::min(kRowsPerStatement, rows - first);
        std::string sql = head;
        for (std::size_t r = 0; r < count; ++r) sql += (r ? "," : "") + rowTemplate;
        MYSQL_STMT* stmt = prepared(sql);
        const std::size_t params = count * columns;
        binds.assign(params, MYSQL_BIND{});
        lengths.assign(params, 0);
        nulls.assign(params, 0);
        for (std::size_t i = 0; i < params; ++i) {
            const MysqlValue& v = values[first * columns + i];
            MYSQL_BIND& b = binds[i];
            if (const auto* n = std::get_if<long long>(&v)) {
                b.buffer_type = MYSQL_TYPE_LONGLONG;
                b.buffer = const_cast<long long*>(n);
            } else if (const auto* d = std::get_if<double>(&v)) {
                b.buffer_type = MYSQL_TYPE_DOUBLE;
                b.buffer = const_cast<double*>(d);
            } else if (const auto* s = std::get_if<std::string>(&v)) {
                b.buffer_type = MYSQL_TYPE_STRING;
                b.buffer = const_cast<char*>(s->data());
                b.buffer_length = s->size();
                lengths[i] = s->size();
                b.length = &lengths[i];
            } else {
                b.buffer_type = MYSQL_TYPE_NULL;
                nulls[i] = 1;
                b.is_null = &nulls[i];
            }
        }
        if (db_.stmt_bind_param(stmt, binds.data()) != 0 || db_.stmt_execute(stmt) != 0) {
            MysqlError error(db_.stmt_errno(stmt), head.substr(0, 60) + ": " + db_.stmt_error(stmt));
            throw error;
        }
    }
}

}  // namespace watchdog::mysql
