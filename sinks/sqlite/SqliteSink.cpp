#include "SqliteSink.h"

#include <watchdog/RecordLine.h>

#include <watchdog/Plugin.h>

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>
#include <sqlite3.h>
#include <stdexcept>

namespace watchdog::sqlite {
namespace {

// Migration N takes a file from schema version N-1 to N; never edit one that has shipped, add one.
const std::vector<std::vector<std::string>> kMigrations = {
    {},  // version 0: an empty file
    {
        "CREATE TABLE records ("
        " id INTEGER PRIMARY KEY,"
        " seq INTEGER NOT NULL,"
        " kind TEXT NOT NULL,"
        " time_ms INTEGER NOT NULL,"
        " pipeline TEXT NOT NULL,"
        " check_id TEXT NOT NULL,"
        " label TEXT NOT NULL,"
        " status TEXT,"
        " summary TEXT NOT NULL,"
        " value REAL,"
        " unit TEXT,"
        " duration_ms INTEGER,"
        " event_type TEXT,"
        " json TEXT NOT NULL,"
        " UNIQUE (seq, time_ms))",
        "CREATE INDEX records_time ON records (time_ms)",
        "CREATE INDEX records_check_time ON records (check_id, time_ms)",
    },
};

bool isNotADatabase(const std::string& message) {
    return message.find("not a database") != std::string::npos || message.find("malformed") != std::string::npos ||
           message.find("corrupt") != std::string::npos;
}

}  // namespace

SqliteSink::SqliteSink() = default;
SqliteSink::~SqliteSink() { close(); }

void SqliteSink::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    settings_.path = options.path("path");
    settings_.busyTimeout = options.duration("busy_timeout", settings_.busyTimeout);
    if (settings_.busyTimeout.count() < 0 || settings_.busyTimeout > std::chrono::hours(1))
        options.report("busy_timeout", "must be between 0s and 1h");
    settings_.synchronous = options.choice("synchronous", {"normal", "full"}, "full");
    std::transform(settings_.synchronous.begin(), settings_.synchronous.end(), settings_.synchronous.begin(), ::toupper);
}

void SqliteSink::rethrow(const std::string& doing) const {
    std::string message;
    try {
        throw;
    } catch (const Poco::Exception& e) {
        message = e.displayText();
    } catch (const std::exception& e) {
        message = e.what();
    }
    if (isNotADatabase(message))
        throw std::runtime_error("sqlite sink: " + settings_.path + " is not a usable SQLite database (" + message +
                                 "); move it aside to start a new history file");
    throw std::runtime_error("sqlite sink: " + doing + " " + settings_.path + ": " + message);
}

void SqliteSink::open() {
    if (connection_) return;
    try {
        const std::string parent = Poco::Path(settings_.path).parent().toString();
        if (!parent.empty()) Poco::File(parent).createDirectories();
        auto connection = std::make_unique<SqliteConnection>(settings_.path, settings_.busyTimeout);
        connection->scalar("PRAGMA journal_mode = WAL");
        connection->execute("PRAGMA synchronous = " + settings_.synchronous);
        // An append-only table needs only the right edge of its trees in memory. SQLite's default
        // cache (2 MiB) filled with every page the file ever grew by: +2.3 MiB resident after 40 s
        // at a 20 ms interval, and so after hours at the usual ones. Older pages come from the
        // kernel's page cache when `history` or the status page reads them.
        connection->execute("PRAGMA cache_size = -" + std::to_string(kCacheKiB));
        connection_ = std::move(connection);
        migrate();
    } catch (...) {
        connection_.reset();
        rethrow("cannot open");
    }
}

void SqliteSink::migrate() {
    SqliteConnection& s = *connection_;
    auto currentVersion = [&] {
        if (s.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") == "0") return 0;
        return std::stoi(s.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    };
    int version = currentVersion();
    if (version == kSchemaVersion) return;
    if (version > kSchemaVersion)
        throw std::runtime_error("schema version " + std::to_string(version) + " is newer than this program's " +
                                 std::to_string(kSchemaVersion) + "; upgrade encoder-watchdog");
    // BEGIN IMMEDIATE: two processes opening a fresh file must not both migrate it.
    s.execute("BEGIN IMMEDIATE");
    try {
        version = currentVersion();
        if (version == 0) s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        for (int v = version + 1; v <= kSchemaVersion; ++v) {
            for (const auto& sql : kMigrations[static_cast<std::size_t>(v)]) s.execute(sql);
            s.execute("DELETE FROM schema_version");
            s.execute("INSERT INTO schema_version (version) VALUES (" + std::to_string(v) + ")");
        }
        s.execute("COMMIT");
    } catch (...) {
        try {
            s.execute("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

void SqliteSink::ensureOpen() {
    if (!connection_) open();
}

namespace {

// Runs a prepared statement that returns no rows, and readies it for the next time.
void runPrepared(SqliteConnection& connection, SqliteStatement& statement, const char* doing) {
    const int rc = sqlite3_step(statement.get());
    sqlite3_reset(statement.get());
    connection.check(rc, doing);
}

}  // namespace

void SqliteSink::prepareWriteStatements() {
    if (insert_) return;
    begin_ = std::make_unique<SqliteStatement>(*connection_, "BEGIN IMMEDIATE");
    commit_ = std::make_unique<SqliteStatement>(*connection_, "COMMIT");
    insert_ = std::make_unique<SqliteStatement>(*connection_,
                                                "INSERT OR IGNORE INTO records (seq, kind, time_ms, pipeline, check_id, label, status,"
                                                " summary, value, unit, duration_ms, event_type, json)"
                                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
}

// Prepared statements only, bound and stepped per row (re-parsing the SQL per row cost most of a batch).
void SqliteSink::write(const std::vector<Record>& batch) {
    ensureOpen();
    sqlite3* db = connection_->handle();
    auto check = [&](int rc, const char* doing) { connection_->check(rc, doing); };
    bool inTransaction = false;
    sqlite3_stmt* insert = nullptr;
    try {
        prepareWriteStatements();
        insert = insert_->get();
        runPrepared(*connection_, *begin_, "begin");
        inTransaction = true;
        for (const Record& r : batch) {
            const bool isEvent = r.kind == RecordKind::Event;
            const std::string json = recordToJsonLine(r);
            const std::string& checkId = isEvent && r.checkId.empty() ? r.event.checkId : r.checkId;
            const std::string& summary = isEvent ? r.event.summary : r.result.summary;
            sqlite3_reset(insert);
            sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(r.sequence));
            sqlite3_bind_text(insert, 2, isEvent ? "event" : "result", -1, SQLITE_STATIC);
            sqlite3_bind_int64(insert, 3, toEpochMs(r.time));
            sqlite3_bind_text(insert, 4, r.pipeline.data(), static_cast<int>(r.pipeline.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert, 5, checkId.data(), static_cast<int>(checkId.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert, 6, r.checkLabel.data(), static_cast<int>(r.checkLabel.size()), SQLITE_STATIC);
            if (isEvent)
                sqlite3_bind_null(insert, 7);
            else
                sqlite3_bind_text(insert, 7, toString(r.result.status), -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 8, summary.data(), static_cast<int>(summary.size()), SQLITE_STATIC);
            if (!isEvent && r.result.value)
                sqlite3_bind_double(insert, 9, *r.result.value);
            else
                sqlite3_bind_null(insert, 9);
            if (isEvent)
                sqlite3_bind_null(insert, 10);
            else
                sqlite3_bind_text(insert, 10, r.result.unit.data(), static_cast<int>(r.result.unit.size()), SQLITE_STATIC);
            if (!isEvent)
                sqlite3_bind_int64(insert, 11, r.duration.count());
            else if (r.event.duration)
                sqlite3_bind_int64(insert, 11, r.event.duration->count());
            else
                sqlite3_bind_null(insert, 11);
            if (isEvent)
                sqlite3_bind_text(insert, 12, toString(r.event.type), -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(insert, 12);
            sqlite3_bind_text(insert, 13, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
            check(sqlite3_step(insert), "insert");
        }
        sqlite3_reset(insert);
        sqlite3_clear_bindings(insert);
        runPrepared(*connection_, *commit_, "commit");
    } catch (...) {
        if (insert) sqlite3_reset(insert);
        if (inTransaction) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        rethrow("cannot write to");
    }
}

void SqliteSink::close() {
    begin_.reset();
    insert_.reset();
    commit_.reset();
    connection_.reset();
}

std::vector<Record> SqliteSink::readHistory(const HistoryQuery& query) {
    ensureOpen();
    std::vector<std::string> rows;
    try {
        const std::string& checkId = query.checkId;
        SqliteStatement select(*connection_, checkId.empty()
                                                 ? "SELECT json FROM records WHERE time_ms >= ?1"
                                                   " ORDER BY time_ms DESC, id DESC LIMIT ?2"
                                                 : "SELECT json FROM records WHERE time_ms >= ?1 AND"
                                                   " (check_id = ?3 OR kind = 'event') ORDER BY time_ms DESC, id DESC LIMIT ?2");
        sqlite3_stmt* stmt = select.get();
        sqlite3_bind_int64(stmt, 1, toEpochMs(query.since));
        sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(std::min<std::size_t>(query.limit, 1000000000)));
        if (!checkId.empty()) sqlite3_bind_text(stmt, 3, checkId.data(), static_cast<int>(checkId.size()), SQLITE_STATIC);
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
            rows.emplace_back(text ? text : "");
        }
        connection_->check(rc, "select");
    } catch (...) {
        rethrow("cannot read");
    }
    std::vector<Record> out;
    out.reserve(rows.size());
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        try {
            out.push_back(recordFromJsonLine(*it));
        } catch (const std::exception& e) {
            throw std::runtime_error("sqlite sink: " + settings_.path + ": unreadable record: " + e.what());
        }
    }
    return out;
}

}  // namespace watchdog::sqlite

WATCHDOG_SINK_PLUGIN(watchdog::sqlite::SqliteSink)
