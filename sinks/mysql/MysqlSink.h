#pragma once

#include "MysqlConnection.h"
#include "MysqlSchema.h"

#include <watchdog/OptionTable.h>
#include <watchdog/Sink.h>

#include <memory>
#include <string>

namespace watchdog::mysql {

/// The production history store on MySQL/MariaDB.
///
/// Every check result becomes a row of the old script's `monitoring_logs` (timestamp, the check's
/// label in `parameter` or `flag_name`, whichever the table has, status pass/fail; an `error` result
/// is stored as 'fail', as rules count it), so existing dashboards keep working. Every record, results
/// and events, also goes to the sink's own table with its value, unit, summary, error, details and
/// sequence. A batch is written in one transaction with prepared multi-row INSERTs; records whose
/// (seq, time_ms) are already stored are skipped in both tables, so a replayed batch lands once. A
/// lost connection is dropped and made anew on the next write (once at once within the same write if
/// it had been idle); every connection checks the tables and finds the label column again.
class MysqlSink : public Sink {
public:
    MysqlSink();
    ~MysqlSink() override;
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    void open() override;
    void write(const std::vector<Record>& batch) override;
    void close() override;
    bool readable() const override { return true; }
    std::vector<Record> readHistory(const HistoryQuery& query) override;

private:
    void connect();
    void store(const std::vector<Record>& batch);
    [[noreturn]] void rethrow(const std::string& doing);

    MysqlSettings settings_;
    MysqlTables tables_;
    MysqlSchemaInfo schema_;
    std::string legacyInsert_;
    std::unique_ptr<MysqlConnection> connection_;
};

}  // namespace watchdog::mysql
