#pragma once

#include "SqliteConnection.h"

#include <watchdog/OptionTable.h>
#include <watchdog/Sink.h>

#include <chrono>
#include <memory>
#include <string>

namespace watchdog::sqlite {

/// The embedded default history store: one SQLite file (WAL mode, one transaction per batch),
/// readable by the `history` verb while the daemon writes.
///
/// Table `records` holds one row per record: searchable columns plus the whole record as JSON (the
/// RecordJson shape). A record whose (seq, time_ms) is already stored is skipped, so a replayed batch
/// is stored once. `schema_version` holds the schema's version; open() migrates older files.
class SqliteSink : public Sink {
public:
    /// The schema version this build writes.
    static constexpr int kSchemaVersion = 1;

    SqliteSink();
    ~SqliteSink() override;
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    void open() override;
    void write(const std::vector<Record>& batch) override;
    void close() override;
    bool readable() const override { return true; }
    std::vector<Record> readHistory(const HistoryQuery& query) override;

    /// SQLite's page cache for the sink's connection, in KiB (PRAGMA cache_size).
    static constexpr int kCacheKiB = 256;

private:
    struct Settings {
        std::string path;
        std::chrono::milliseconds busyTimeout{5000};
        std::string synchronous = "FULL";
    };
    void ensureOpen();
    void prepareWriteStatements();
    void migrate();
    [[noreturn]] void rethrow(const std::string& doing) const;

    Settings settings_;
    std::unique_ptr<SqliteConnection> connection_;
    // Prepared once per connection: a batch then runs no SQL compiler (parsing BEGIN and COMMIT
    // each time kept SQLite's parser and code generator resident and cost CPU every round).
    std::unique_ptr<SqliteStatement> begin_;
    std::unique_ptr<SqliteStatement> insert_;
    std::unique_ptr<SqliteStatement> commit_;
};

}  // namespace watchdog::sqlite
