#include "MysqlSink.h"

#include "MysqlSettings.h"
#include "MysqlText.h"

#include <watchdog/RecordLine.h>

#include <watchdog/Plugin.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

namespace watchdog::mysql {
namespace {

MysqlValue text(const std::string& s) { return MysqlValue(clipped(s, 65535)); }
MysqlValue textOrNull(const std::string& s) { return s.empty() ? MysqlValue() : text(s); }

std::string detailsJson(const Details& details) {
    if (details.empty()) return {};
    Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [k, v] : details) object.set(k, v);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

Details detailsFromJson(const std::string& json) {
    Details out;
    if (json.empty()) return out;
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    auto object = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    for (const auto& key : object->getNames()) out.emplace_back(key, object->getValue<std::string>(key));
    return out;
}

// A row of the records table, as SELECTed by readHistory, back into a Record.
Record recordFromRow(const MysqlRow& row) {
    const auto col = [&](std::size_t i) { return row.at(i).value_or(""); };
    if (col(0) == "event") return recordFromJsonLine(col(12));
    Record r;
    r.kind = RecordKind::Result;
    r.sequence = std::stoull(col(1));
    r.time = fromEpochMs(std::stoll(col(2)));
    r.pipeline = col(3);
    r.checkId = col(4);
    r.checkLabel = col(5);
    auto status = statusFromString(col(6));
    if (!status) throw std::runtime_error("seq " + col(1) + ": unknown status '" + col(6) + "'");
    r.result.status = *status;
    r.result.summary = col(7);
    if (row.at(8)) r.result.value = std::stod(*row[8]);
    r.result.unit = col(9);
    if (row.at(10)) r.duration = std::chrono::milliseconds(std::stoll(*row[10]));
    r.result.details = detailsFromJson(col(11));
    return r;
}

constexpr std::size_t kRecordsColumns = 16;  // placeholders per row of the records table

}  // namespace

MysqlSink::MysqlSink() = default;
MysqlSink::~MysqlSink() = default;

void MysqlSink::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    settings_ = readMysqlSettings(options);
    tables_.legacy = options.string("table", tables_.legacy);
    if (!isPlainTableName(tables_.legacy)) options.report("table", "must be a plain table name (letters, digits, _)");
    tables_.records = options.string("records_table", tables_.records);
    if (!isPlainTableName(tables_.records)) options.report("records_table", "must be a plain table name (letters, digits, _)");
    if (tables_.records == tables_.legacy) options.report("records_table", "must differ from table");
}

void MysqlSink::rethrow(const std::string& doing) {
    const std::string prefix = "mysql sink (" + settings_.where() + "): ";
    const std::string user = "'" + settings_.user + "'";
    try {
        throw;
    } catch (const MysqlError& e) {
        if (e.connectionLost() || e.staleSchema()) connection_.reset();
        std::string what = e.what();
        switch (e.code()) {
            case 1045:  // ER_ACCESS_DENIED_ERROR
                throw std::runtime_error(prefix + "the server refused user " + user + " (" + what +
                                         "): check `user` and `password`, and that the account may connect from this host");
            case 1044:  // ER_DBACCESS_DENIED_ERROR
                throw std::runtime_error(prefix + "user " + user + " may not use database '" + settings_.database + "' (" + what +
                                         "): GRANT ALL ON `" + settings_.database + "`.* TO " + user);
            case 1049:  // ER_BAD_DB_ERROR
                throw std::runtime_error(prefix + "database '" + settings_.database + "' does not exist: create it (CREATE DATABASE `" +
                                         settings_.database + "` CHARACTER SET utf8mb4) and grant " + user + " access, or fix `database`");
            case 1142:  // ER_TABLEACCESS_DENIED_ERROR
            case 1143:  // ER_COLUMNACCESS_DENIED_ERROR
                throw std::runtime_error(prefix + "user " + user + " lacks a privilege (" + what + "): GRANT CREATE, SELECT, INSERT ON `" +
                                         settings_.database + "`.* TO " + user);
            case 2026:  // CR_SSL_CONNECTION_ERROR
                throw std::runtime_error(prefix + "TLS failed (" + what + "): check `tls`, `tls_ca` and the server's certificate");
            default:
                break;
        }
        if (e.connectionLost())
            throw std::runtime_error(prefix + doing + ": " + what + " (server unreachable; records are kept and the sink retries)");
        throw std::runtime_error(prefix + doing + ": " + what + (e.code() != 0 ? " (error " + std::to_string(e.code()) + ")" : ""));
    } catch (const std::exception& e) {
        throw std::runtime_error(prefix + doing + ": " + e.what());
    }
}

void MysqlSink::connect() {
    auto connection = std::make_unique<MysqlConnection>(settings_);
    schema_ = prepareSchema(*connection, tables_);
    legacyInsert_ = "INSERT INTO `" + tables_.legacy + "` (`timestamp`, `" + schema_.labelColumn + "`, `status`) VALUES ";
    connection_ = std::move(connection);
    Poco::Logger::get("watchdog.sink.mysql")
        .information("mysql sink (" + settings_.where() + "): writing " + tables_.legacy + "." + schema_.labelColumn + " (" +
                     schema_.labelOrigin + ") and " + tables_.records);
}

void MysqlSink::open() {
    if (connection_) return;
    try {
        connect();
    } catch (...) {
        rethrow("cannot connect");
    }
}

namespace {

// The (seq, time_ms) pairs of the batch's sequence range already in the records table, locked for
// the transaction: a replayed batch lands once.
std::set<std::pair<std::uint64_t, long long>> storedKeys(MysqlConnection& c, const std::string& table, const std::vector<Record>& batch) {
    std::uint64_t lo = batch.front().sequence, hi = lo;
    for (const Record& r : batch) {
        lo = std::min(lo, r.sequence);
        hi = std::max(hi, r.sequence);
    }
    std::set<std::pair<std::uint64_t, long long>> stored;
    for (const auto& row : c.select("SELECT seq, time_ms FROM `" + table + "` WHERE seq BETWEEN " + std::to_string(lo) + " AND " +
                                    std::to_string(hi) + " FOR UPDATE"))
        stored.emplace(std::stoull(row[0].value_or("0")), std::stoll(row[1].value_or("0")));
    return stored;
}

// One row of the records table: kRecordsColumns values.
void appendRecordRow(std::vector<MysqlValue>& records, const Record& r, long long timeMs, const MysqlValue& millis) {
    const bool isResult = r.kind == RecordKind::Result;
    records.emplace_back(static_cast<long long>(r.sequence));
    records.emplace_back(timeMs);
    records.emplace_back(millis);
    records.emplace_back(std::string(isResult ? "result" : "event"));
    records.emplace_back(fitted(r.pipeline, 255));
    records.emplace_back(fitted(isResult || !r.checkId.empty() ? r.checkId : r.event.checkId, 255));
    records.emplace_back(fitted(r.checkLabel, 255));
    if (isResult) {
        records.emplace_back(std::string(toString(r.result.status)));
        records.emplace_back();
        // NaN and infinities have no SQL value; storing them would fail the whole batch.
        const bool finite = r.result.value && std::isfinite(*r.result.value);
        records.emplace_back(finite ? MysqlValue(*r.result.value) : MysqlValue());
        records.emplace_back(r.result.unit.empty() ? MysqlValue() : MysqlValue(fitted(r.result.unit, 64)));
        records.emplace_back(text(r.result.summary));
        records.emplace_back(r.result.status == Status::Error ? text(r.result.summary) : MysqlValue());
        records.emplace_back(static_cast<long long>(r.duration.count()));
        records.emplace_back(textOrNull(detailsJson(r.result.details)));
    } else {
        records.emplace_back();
        records.emplace_back(std::string(toString(r.event.type)));
        records.emplace_back();
        records.emplace_back();
        records.emplace_back(text(r.event.summary));
        records.emplace_back(r.event.type == EventType::CheckError ? text(r.event.summary) : MysqlValue());
        records.emplace_back(r.event.duration ? MysqlValue(static_cast<long long>(r.event.duration->count())) : MysqlValue());
        records.emplace_back(textOrNull(detailsJson(r.event.details)));
    }
    // Results are rebuilt from their columns; events have more fields than columns.
    records.emplace_back(isResult ? MysqlValue() : MysqlValue(validUtf8(recordToJsonLine(r))));
}

}  // namespace

void MysqlSink::store(const std::vector<Record>& batch) {
    MysqlConnection& c = *connection_;
    c.execute("START TRANSACTION");
    try {
        std::set<std::pair<std::uint64_t, long long>> stored = storedKeys(c, tables_.records, batch);
        std::vector<MysqlValue> legacy, records;
        legacy.reserve(batch.size() * 3);
        records.reserve(batch.size() * kRecordsColumns);
        for (const Record& r : batch) {
            const long long timeMs = toEpochMs(r.time);
            if (!stored.emplace(r.sequence, timeMs).second) continue;  // already stored: a replay
            // FROM_UNIXTIME covers 1970..2038-01-19 on MariaDB 10.11; outside it strict mode refuses the
            // INSERT, so such a time is sent as NULL (time_ms keeps the real value).
            const bool convertible = timeMs >= 0 && timeMs / 1000 <= 2147483647LL;
            MysqlValue seconds, millis;
            if (convertible) {
                seconds = MysqlValue(timeMs / 1000);
                millis = MysqlValue(timeMs);
            }
            if (r.kind == RecordKind::Result) {
                legacy.emplace_back(seconds);
                legacy.emplace_back(forCharset(fitted(r.checkLabel, schema_.labelLength), schema_.labelCharset));
                legacy.emplace_back(std::string(r.result.status == Status::Pass ? "pass" : "fail"));
            }
            appendRecordRow(records, r, timeMs, millis);
        }
        if (!legacy.empty()) c.insertRows(legacyInsert_, "(FROM_UNIXTIME(?),?,?)", 3, legacy);
        if (!records.empty())
            c.insertRows("INSERT INTO `" + tables_.records +
                             "` (seq, time_ms, time, kind, pipeline, check_id, label, status, event_type, value,"
                             " unit, summary, error, duration_ms, details, record) VALUES ",
                         "(?,?,FROM_UNIXTIME(?/1000),?,?,?,?,?,?,?,?,?,?,?,?,?)", kRecordsColumns, records);
        c.execute("COMMIT");
    } catch (...) {
        try {
            c.execute("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

void MysqlSink::write(const std::vector<Record>& batch) {
    if (batch.empty()) return;
    // A connection that sat idle may have been cut by a server restart, or its tables changed since it
    // checked them (a column renamed): then reconnect, which checks them again, once at once.
    bool mayRetry = connection_ != nullptr;
    for (;;) {
        try {
            if (!connection_) connect();
            store(batch);
            return;
        } catch (const MysqlError& e) {
            if ((e.connectionLost() || e.staleSchema()) && mayRetry) {
                connection_.reset();
                mayRetry = false;
                continue;
            }
            rethrow("cannot write");
        } catch (...) {
            rethrow("cannot write");
        }
    }
}

void MysqlSink::close() { connection_.reset(); }

std::vector<Record> MysqlSink::readHistory(const HistoryQuery& query) {
    std::vector<MysqlRow> rows;
    bool mayRetry = connection_ != nullptr;
    for (;;) {
        try {
            if (!connection_) connect();
            std::string sql =
                "SELECT kind, seq, time_ms, pipeline, check_id, label, status, summary, value, unit,"
                " duration_ms, details, record FROM `" +
                tables_.records + "` WHERE time_ms >= " + std::to_string(toEpochMs(query.since));
            if (!query.checkId.empty()) sql += " AND (check_id = " + connection_->literal(query.checkId) + " OR kind = 'event')";
            sql += " ORDER BY time_ms DESC, id DESC LIMIT " + std::to_string(std::min<std::size_t>(query.limit, 1000000000));
            rows = connection_->select(sql);
            break;
        } catch (const MysqlError& e) {
            if ((e.connectionLost() || e.staleSchema()) && mayRetry) {
                connection_.reset();
                mayRetry = false;
                continue;
            }
            rethrow("cannot read");
        } catch (...) {
            rethrow("cannot read");
        }
    }
    std::vector<Record> out;
    out.reserve(rows.size());
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        try {
            out.push_back(recordFromRow(*it));
        } catch (const std::exception& e) {
            throw std::runtime_error("mysql sink (" + settings_.where() + "): unreadable record in `" + tables_.records + "`: " + e.what());
        }
    }
    return out;
}

}  // namespace watchdog::mysql

WATCHDOG_SINK_PLUGIN(watchdog::mysql::MysqlSink)
