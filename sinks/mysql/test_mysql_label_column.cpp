#include "MysqlSink.h"

#include <watchdog/testing/PluginTestKit.h>

#include "ErrorOf.h"
#include "MariaDbServer.h"
#include "SampleRecords.h"
#include "TestSupport.h"

#include <Poco/Logger.h>
#include <Poco/StreamChannel.h>

#include <doctest/doctest.h>

#include <sstream>

using namespace watchdog;
using namespace watchdog::mysql;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

// The old script's README (DESIGN.md quotes it).
const char* kReadmeCreate =
    "CREATE TABLE IF NOT EXISTS monitoring_logs (\n"
    "    id INT AUTO_INCREMENT PRIMARY KEY,\n"
    "    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,\n"
    "    parameter VARCHAR(50),\n"
    "    status ENUM('pass', 'fail') NOT NULL\n"
    ");";

// The old script's code never creates the table; its database.py inserts with
// "INSERT INTO monitoring_logs (timestamp, flag_name, status) VALUES (NOW(), %s, %s)", so the stations
// whose logging worked made the README's table with `flag_name` where the README has `parameter`.
const char* kCodeCreate =
    "CREATE TABLE IF NOT EXISTS monitoring_logs (\n"
    "    id INT AUTO_INCREMENT PRIMARY KEY,\n"
    "    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,\n"
    "    flag_name VARCHAR(50),\n"
    "    status ENUM('pass', 'fail') NOT NULL\n"
    ");";

// What the script's log_to_database("Icecast Sources", "pass") left behind.
const char* kScriptRow = "INSERT INTO monitoring_logs (timestamp, flag_name, status) VALUES (NOW(), 'Icecast Sources', 'pass');";

// One server for this file; every test case gets its own database on it.
MariaDbServer& server() { return MariaDbServer::shared(); }

std::string freshDatabase() { return server().freshDatabase("wd_label_"); }

std::string where(const std::string& db) { return "127.0.0.1:" + std::to_string(server().port()) + "/" + db; }

std::unique_ptr<MysqlSink> makeSink(const std::string& db) {
    auto sink = std::make_unique<MysqlSink>();
    sink->configure(testing::optionsFromYaml("host: 127.0.0.1\nport: " + std::to_string(server().port()) +
                                                 "\nuser: watchdog\npassword: wd-secret\ndatabase: " + db + "\nconnect_timeout: 2s\n",
                                             "sinks[0]"));
    return sink;
}

Record labelled(std::uint64_t seq, const std::string& id, const std::string& label, Status status) {
    Record r = sampleResult(seq, id, status);
    r.checkLabel = label;
    return r;
}

// One cycle of the old script's four checks, plus an event (which the old table does not take).
std::vector<Record> cycle(std::uint64_t first) {
    return {labelled(first, "icecast", "Icecast Sources", Status::Pass),
            labelled(first + 1, "liquidsoap_cpu", "Liquidsoap CPU", Status::Fail),
            labelled(first + 2, "ts_count", "TS File Count", Status::Error), sampleEvent(first + 3),
            labelled(first + 4, "ts_age", "HLS Old Files", Status::Pass)};
}

const std::string kCycleRows = "Icecast Sources\tpass\nLiquidsoap CPU\tfail\nTS File Count\tfail\nHLS Old Files\tpass\n";

std::string columnsOf(const std::string& db) {
    return server().sql(
        "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS"
        " WHERE TABLE_SCHEMA = '" +
        db + "' AND TABLE_NAME = 'monitoring_logs'");
}

/// What the sink logs under watchdog.sink.mysql, as the daemon's log file would show it.
class SinkLog {
public:
    SinkLog() : logger_(Poco::Logger::get("watchdog.sink.mysql")) {
        logger_.setChannel(new Poco::StreamChannel(text_));
        logger_.setLevel(Poco::Message::PRIO_INFORMATION);
    }
    ~SinkLog() { logger_.setChannel(nullptr); }
    /// Every line logged so far (read it only while no sink thread runs).
    std::string text() const { return text_.str(); }

private:
    Poco::Logger& logger_;
    std::ostringstream text_;
};

SinkQueueSettings quickRetries(const TempDir& dir) {
    return testing::SinkQueueSettingsBuilder(dir.file("spool")).retries(20ms, 200ms).build();
}

}  // namespace

TEST_CASE("mysql sink: a table made for the old script's code (flag_name) gets each result's label and pass/fail") {
    const std::string db = freshDatabase();
    server().sql(std::string(kCodeCreate) + kScriptRow, db);
    SinkLog log;
    auto sink = makeSink(db);
    sink->open();
    const auto batch = cycle(1);
    sink->write(batch);

    CHECK(log.text() == "mysql sink (" + where(db) + "): writing monitoring_logs.flag_name (the old script's code) and watchdog_records\n");
    CHECK(server().sql("SELECT flag_name, status FROM monitoring_logs ORDER BY id", db) == "Icecast Sources\tpass\n" + kCycleRows);
    const long long base = toEpochMs(batch[0].time) / 1000;
    CHECK(server().sql(
              "SELECT GROUP_CONCAT(UNIX_TIMESTAMP(timestamp) - " + std::to_string(base) + " ORDER BY id) FROM monitoring_logs WHERE id > 1",
              db) == "0,1,2,4\n");
    // The station's table keeps its shape, and every record also reaches the sink's own table.
    CHECK(columnsOf(db) == "id,timestamp,flag_name,status\n");
    CHECK(server().sql("SELECT COUNT(*) FROM watchdog_records", db) == "5\n");
}

TEST_CASE("mysql sink: a table made from the old script's README (parameter) gets the same rows") {
    const std::string db = freshDatabase();
    server().sql(kReadmeCreate, db);
    SinkLog log;
    auto sink = makeSink(db);
    sink->write(cycle(1));

    CHECK(log.text() ==
          "mysql sink (" + where(db) + "): writing monitoring_logs.parameter (the old script's README) and watchdog_records\n");
    CHECK(server().sql("SELECT parameter, status FROM monitoring_logs ORDER BY id", db) == kCycleRows);
    CHECK(columnsOf(db) == "id,timestamp,parameter,status\n");
}

TEST_CASE("mysql sink: without a table it creates the README's (parameter) and says so") {
    const std::string db = freshDatabase();
    SinkLog log;
    auto sink = makeSink(db);
    sink->write(cycle(1));

    CHECK(log.text() == "mysql sink (" + where(db) +
                            "): writing monitoring_logs.parameter (created now, as the old script's README has it)"
                            " and watchdog_records\n");
    CHECK(server().sql("SELECT parameter, status FROM monitoring_logs ORDER BY id", db) == kCycleRows);
    CHECK(columnsOf(db) == "id,timestamp,parameter,status\n");
}

TEST_CASE("mysql sink: a table with neither column is refused, naming its columns; the spool keeps the records") {
    const std::string db = freshDatabase();
    server().sql(
        "CREATE TABLE monitoring_logs (id INT AUTO_INCREMENT PRIMARY KEY,"
        " timestamp DATETIME DEFAULT CURRENT_TIMESTAMP, name VARCHAR(50), status ENUM('pass','fail') NOT NULL)",
        db);
    const std::string expected =
        "mysql sink (" + where(db) +
        "): cannot connect: table `monitoring_logs` is not compatible: it has neither a `parameter` column (the old "
        "script's README) nor a `flag_name` column (the old script's code) for the check's label; its columns: `id`, "
        "`timestamp`, `name`, `status`; fix the table, rename it (RENAME TABLE `monitoring_logs` TO "
        "`monitoring_logs_old`) so the sink creates a new one, or point the sink at another table";
    CHECK(errorOf([&] { makeSink(db)->open(); }) == expected);

    TempDir dir;
    SinkLog log;
    testing::QueuedSink queue("mysql", makeSink(db), quickRetries(dir));
    queue.start();
    for (const Record& r : cycle(1)) queue.push(r);
    REQUIRE(waitUntil([&] { return queue.stats().spooledRecords == 5 && queue.stats().failures > 0; }, 30s));
    CHECK(queue.stats().lastError == expected);
    CHECK(server().sql("SELECT COUNT(*) FROM monitoring_logs", db) == "0\n");

    // The operator renames the column the dashboards read; the queue's retries find it and deliver.
    server().sql("ALTER TABLE monitoring_logs RENAME COLUMN name TO flag_name", db);
    REQUIRE(waitUntil([&] { return queue.stats().spooledRecords == 0 && queue.stats().written == 5; }, 30s));
    queue.stop(5s);
    CHECK(server().sql("SELECT flag_name, status FROM monitoring_logs ORDER BY id", db) == kCycleRows);
    CHECK(server().sql("SELECT COUNT(*) FROM watchdog_records", db) == "5\n");
    const std::string logged = log.text();
    CHECK(logged.find("sink mysql cannot write: " + expected + "; records are kept in the spool") != std::string::npos);
    CHECK(logged.find("mysql sink (" + where(db) + "): writing monitoring_logs.flag_name (the old script's code)") != std::string::npos);
}

TEST_CASE("mysql sink: a table with both columns is refused, naming them") {
    const std::string db = freshDatabase();
    server().sql(std::string(kReadmeCreate) + " ALTER TABLE monitoring_logs ADD flag_name VARCHAR(50) AFTER parameter;", db);
    auto sink = makeSink(db);
    CHECK(errorOf([&] { sink->write(cycle(1)); }) ==
          "mysql sink (" + where(db) +
              "): cannot write: table `monitoring_logs` is not compatible: it has both a `parameter` and a `flag_name` "
              "column (its columns: `id`, `timestamp`, `parameter`, `flag_name`, `status`), and the sink writes the "
              "check's label to one only (drop the one your dashboards do not read); fix the table, rename it (RENAME "
              "TABLE `monitoring_logs` TO `monitoring_logs_old`) so the sink creates a new one, or point the sink at "
              "another table");
    CHECK(server().sql("SELECT COUNT(*) FROM monitoring_logs", db) == "0\n");
    CHECK(server().sql("SELECT COUNT(*) FROM watchdog_records", db) == "0\n");
}

TEST_CASE("mysql sink: the label column is found again on every connection") {
    const std::string db = freshDatabase();
    server().sql(kCodeCreate, db);
    SinkLog log;
    auto sink = makeSink(db);
    sink->write(cycle(1));

    SUBCASE("renamed under an open connection: the write that misses it reconnects and finds the new name") {
        server().sql("ALTER TABLE monitoring_logs RENAME COLUMN flag_name TO parameter", db);
    }
    SUBCASE("renamed while the connection was cut (as by a server restart)") {
        server().sql("ALTER TABLE monitoring_logs RENAME COLUMN flag_name TO parameter", db);
        const std::string ids = server().sql(
            "SELECT GROUP_CONCAT(ID) FROM information_schema.PROCESSLIST"
            " WHERE USER = 'watchdog' AND DB = '" +
            db + "'");
        REQUIRE(ids.find_first_of(",N") == std::string::npos);
        server().sql("KILL CONNECTION " + ids);
    }
    sink->write(cycle(6));

    CHECK(server().sql("SELECT parameter, status FROM monitoring_logs ORDER BY id", db) == kCycleRows + kCycleRows);
    CHECK(log.text() == "mysql sink (" + where(db) +
                            "): writing monitoring_logs.flag_name (the old script's code) and watchdog_records\n"
                            "mysql sink (" +
                            where(db) + "): writing monitoring_logs.parameter (the old script's README) and watchdog_records\n");
}
