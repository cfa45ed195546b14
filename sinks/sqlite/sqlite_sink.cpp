#include "sqlite_sink.h"

#include <watchdog/RecordLine.h>

#include "watchdog/Plugin.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>
#include <sqlite3.h>
#include <stdexcept>

using namespace Poco::Data::Keywords;

namespace watchdog {
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

void SqliteSink::configure(const Options& options) {
    settings_.path = options.path("path");
    settings_.busyTimeout = options.duration("busy_timeout", settings_.busyTimeout);
    if (settings_.busyTimeout.count() < 0 || settings_.busyTimeout > std::chrono::hours(1))
        options.fail("busy_timeout", "must be between 0s and 1h");
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
    if (session_) return;
    try {
        const std::string parent = Poco::Path(settings_.path).parent().toString();
        if (!parent.empty()) Poco::File(parent).createDirectories();
        Poco::Data::SQLite::Connector::registerConnector();
        // Login timeout 0: Poco otherwise retries a file it cannot open for 60 s (measured), which
        // would hold `history` and the sink's thread that long. Locks are the busy timeout's job.
        auto session = std::make_unique<Poco::Data::Session>("SQLite", settings_.path, 0);
        *session << "PRAGMA busy_timeout = " + std::to_string(settings_.busyTimeout.count()), now;
        std::string mode;
        *session << "PRAGMA journal_mode = WAL", into(mode), now;
        *session << "PRAGMA synchronous = " + settings_.synchronous, now;
        session_ = std::move(session);
        migrate();
    } catch (...) {
        session_.reset();
        rethrow("cannot open");
    }
}

void SqliteSink::migrate() {
    Poco::Data::Session& s = *session_;
    auto currentVersion = [&] {
        int tables = 0;
        s << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", into(tables), now;
        if (tables == 0) return 0;
        int version = 0;
        s << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(version), now;
        return version;
    };
    int version = currentVersion();
    if (version == kSchemaVersion) return;
    if (version > kSchemaVersion)
        throw std::runtime_error("schema version " + std::to_string(version) + " is newer than this program's " +
                                 std::to_string(kSchemaVersion) + "; upgrade encoder-watchdog");
    // BEGIN IMMEDIATE: two processes opening a fresh file must not both migrate it.
    s << "BEGIN IMMEDIATE", now;
    try {
        version = currentVersion();
        if (version == 0) s << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", now;
        for (int v = version + 1; v <= kSchemaVersion; ++v) {
            for (const auto& sql : kMigrations[static_cast<std::size_t>(v)]) s << sql, now;
            s << "DELETE FROM schema_version", now;
            s << "INSERT INTO schema_version (version) VALUES (?)", bind(v), now;
        }
        s << "COMMIT", now;
    } catch (...) {
        try {
            s << "ROLLBACK", now;
        } catch (...) {
        }
        throw;
    }
}

void SqliteSink::ensureOpen() {
    if (!session_) open();
}

// The insert runs on SQLite's own API through Poco's connection: Poco::Data re-parses the SQL on
// every execute() (measured: most of the time of a batch went to sqlite3Parser), a prepared
// sqlite3_stmt is bound and stepped per row.
void SqliteSink::write(const std::vector<Record>& batch) {
    ensureOpen();
    sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(*session_);
    auto check = [&](int rc, const char* doing) {
        if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
            throw std::runtime_error(std::string(doing) + ": " + sqlite3_errmsg(db));
    };
    bool inTransaction = false;
    try {
        if (!insert_) {
            check(sqlite3_prepare_v2(db,
                                     "INSERT OR IGNORE INTO records (seq, kind, time_ms, pipeline, check_id, label, status,"
                                     " summary, value, unit, duration_ms, event_type, json)"
                                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                     -1, &insert_, nullptr),
                  "prepare");
        }
        check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), "begin");
        inTransaction = true;
        for (const Record& r : batch) {
            const bool isEvent = r.kind == RecordKind::Event;
            const std::string json = recordToJsonLine(r);
            const std::string& checkId = isEvent && r.checkId.empty() ? r.event.checkId : r.checkId;
            const std::string& summary = isEvent ? r.event.summary : r.result.summary;
            sqlite3_reset(insert_);
            sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(r.sequence));
            sqlite3_bind_text(insert_, 2, isEvent ? "event" : "result", -1, SQLITE_STATIC);
            sqlite3_bind_int64(insert_, 3, toEpochMs(r.time));
            sqlite3_bind_text(insert_, 4, r.pipeline.data(), static_cast<int>(r.pipeline.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert_, 5, checkId.data(), static_cast<int>(checkId.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert_, 6, r.checkLabel.data(), static_cast<int>(r.checkLabel.size()), SQLITE_STATIC);
            if (isEvent) sqlite3_bind_null(insert_, 7);
            else sqlite3_bind_text(insert_, 7, toString(r.result.status), -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_, 8, summary.data(), static_cast<int>(summary.size()), SQLITE_STATIC);
            if (!isEvent && r.result.value) sqlite3_bind_double(insert_, 9, *r.result.value);
            else sqlite3_bind_null(insert_, 9);
            if (isEvent) sqlite3_bind_null(insert_, 10);
            else sqlite3_bind_text(insert_, 10, r.result.unit.data(), static_cast<int>(r.result.unit.size()), SQLITE_STATIC);
            if (!isEvent) sqlite3_bind_int64(insert_, 11, r.duration.count());
            else if (r.event.duration) sqlite3_bind_int64(insert_, 11, r.event.duration->count());
            else sqlite3_bind_null(insert_, 11);
            if (isEvent) sqlite3_bind_text(insert_, 12, toString(r.event.type), -1, SQLITE_STATIC);
            else sqlite3_bind_null(insert_, 12);
            sqlite3_bind_text(insert_, 13, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
            check(sqlite3_step(insert_), "insert");
        }
        sqlite3_reset(insert_);
        sqlite3_clear_bindings(insert_);
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
    } catch (...) {
        if (insert_) sqlite3_reset(insert_);
        if (inTransaction) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        rethrow("cannot write to");
    }
}

void SqliteSink::close() {
    if (insert_) {
        sqlite3_finalize(insert_);
        insert_ = nullptr;
    }
    if (!session_) return;
    try {
        session_->close();
    } catch (...) {
    }
    session_.reset();
}

std::vector<Record> SqliteSink::readHistory(const HistoryQuery& query) {
    ensureOpen();
    std::vector<std::string> rows;
    try {
        Poco::Int64 since = toEpochMs(query.since);
        Poco::Int64 limit = static_cast<Poco::Int64>(std::min<std::size_t>(query.limit, 1000000000));
        std::string checkId = query.checkId;
        Poco::Data::Statement select(*session_);
        if (checkId.empty()) {
            select << "SELECT json FROM records WHERE time_ms >= ? ORDER BY time_ms DESC, id DESC LIMIT ?",
                into(rows), use(since), use(limit);
        } else {
            select << "SELECT json FROM records WHERE time_ms >= ? AND (check_id = ? OR kind = 'event')"
                      " ORDER BY time_ms DESC, id DESC LIMIT ?",
                into(rows), use(since), use(checkId), use(limit);
        }
        select.execute();
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

}  // namespace watchdog

WATCHDOG_SINK_PLUGIN(watchdog::SqliteSink)
