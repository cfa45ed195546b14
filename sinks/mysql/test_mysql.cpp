#include "MysqlSink.h"

#include <watchdog/testing/PluginTestKit.h>

#include "ErrorOf.h"
#include "MariaDbServer.h"
#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace watchdog;
using namespace watchdog::mysql;
using namespace watchdog::test;

namespace {

// The old script's statement, copied from it (DESIGN.md), not from the sink.
const char* kOldScriptCreate =
    "CREATE TABLE IF NOT EXISTS monitoring_logs (\n"
    "    id INT AUTO_INCREMENT PRIMARY KEY,\n"
    "    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,\n"
    "    parameter VARCHAR(50),\n"
    "    status ENUM('pass', 'fail') NOT NULL\n"
    ");";

// One server for this file; every test case gets its own database on it.
MariaDbServer& server() { return MariaDbServer::shared(); }

std::string freshDatabase() { return server().freshDatabase("wd_test_"); }

std::unique_ptr<MysqlSink> makeSink(const std::string& yaml) { return testing::configure<MysqlSink>(yaml, "sinks[0]"); }

std::string tcpOptions(const std::string& database, const std::string& password = "wd-secret") {
    return "host: 127.0.0.1\nport: " + std::to_string(server().port()) + "\nuser: watchdog\npassword: " + password +
           "\ndatabase: " + database + "\nconnect_timeout: 2s\n";
}

Record result(std::uint64_t seq, const std::string& id, const std::string& label, Status status, const std::string& summary,
              std::optional<double> value, const std::string& unit) {
    Record r = sampleResult(seq, id, status);
    r.checkLabel = label;
    r.result.summary = summary;
    r.result.value = value;
    r.result.unit = unit;
    return r;
}

}  // namespace

TEST_CASE("mysql sink: results land in the old script's own table with the right values") {
    const std::string db = freshDatabase();
    server().sql(kOldScriptCreate, db);
    auto sink = makeSink(tcpOptions(db));
    sink->open();
    std::vector<Record> batch = {
        result(1, "icecast", "Icecast Sources", Status::Pass, "1 source connected", 1, "sources"),
        result(2, "cpu", "Liquidsoap CPU", Status::Fail, "liquidsoap at 97.5% CPU", 97.5, "%"),
        result(3, "ts_count", "TS File Count", Status::Error, "cannot read /var/hls: permission denied", {}, ""),
        sampleEvent(4),
        result(5, "hls_age", "HLS Old Files", Status::Pass, "no old files", 0, "files"),
    };
    sink->write(batch);

    const long long base = toEpochMs(batch[0].time) / 1000;
    // An error counts as failing (DESIGN.md), and the old table only knows pass and fail.
    CHECK(server().sql(
              "SELECT id, UNIX_TIMESTAMP(timestamp) - " + std::to_string(base) + ", parameter, status FROM monitoring_logs ORDER BY id",
              db) ==
          "1\t0\tIcecast Sources\tpass\n"
          "2\t1\tLiquidsoap CPU\tfail\n"
          "3\t2\tTS File Count\tfail\n"
          "4\t4\tHLS Old Files\tpass\n");
    // The table keeps the old script's shape: the sink adds no columns to it.
    CHECK(server().sql("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS"
                       " WHERE TABLE_SCHEMA = '" +
                       db + "' AND TABLE_NAME = 'monitoring_logs'") == "id,timestamp,parameter,status\n");
    CHECK(server().sql("SELECT seq, kind, check_id, label, IFNULL(status, '-'), IFNULL(event_type, '-'),"
                       " IFNULL(value, '-'), IFNULL(unit, '-'), summary, IFNULL(error, '-')"
                       " FROM watchdog_records ORDER BY id",
                       db) ==
          "1\tresult\ticecast\tIcecast Sources\tpass\t-\t1\tsources\t1 source connected\t-\n"
          "2\tresult\tcpu\tLiquidsoap CPU\tfail\t-\t97.5\t%\tliquidsoap at 97.5% CPU\t-\n"
          "3\tresult\tts_count\tTS File Count\terror\t-\t-\t-\tcannot read /var/hls: permission denied\t"
          "cannot read /var/hls: permission denied\n"
          "4\tevent\t\t\t-\twarning\t-\t-\t" +
              batch[3].event.summary +
              "\t-\n"
              "5\tresult\thls_age\tHLS Old Files\tpass\t-\t0\tfiles\tno old files\t-\n");
    CHECK(server().sql("SELECT details, duration_ms, time_ms - " + std::to_string(base * 1000) + " FROM watchdog_records WHERE seq = 1",
                       db) == "{\"mount\":\"/live\",\"listeners\":\"12\"}\t35\t0\n");
}

TEST_CASE("mysql sink: creates both tables when missing, the old one exactly as the script did") {
    const std::string db = freshDatabase();
    auto sink = makeSink(tcpOptions(db));
    sink->open();
    CHECK(server().sql("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, IFNULL(COLUMN_DEFAULT, '-'), EXTRA"
                       " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" +
                       db + "' AND TABLE_NAME = 'monitoring_logs' ORDER BY ORDINAL_POSITION") ==
          "id\tint(11)\tNO\t-\tauto_increment\n"
          "timestamp\tdatetime\tYES\tcurrent_timestamp()\t\n"
          "parameter\tvarchar(50)\tYES\tNULL\t\n"
          "status\tenum('pass','fail')\tNO\t-\t\n");
    CHECK(server().sql("SHOW TABLES", db) == "monitoring_logs\nwatchdog_records\n");
    // Opening again (a restart) keeps them.
    sink->close();
    auto again = makeSink(tcpOptions(db));
    again->open();
    again->write(sampleResults(1, 3));
    CHECK(server().sql("SELECT COUNT(*) FROM monitoring_logs", db) == "3\n");
}

TEST_CASE("mysql sink: a batch offered again is stored once; an overlapping one adds only the new records") {
    const std::string db = freshDatabase();
    auto sink = makeSink(tcpOptions(db));
    sink->write(sampleResults(1, 10));  // write() opens by itself
    sink->write(sampleResults(1, 10));
    sink->write(sampleResults(6, 15));
    CHECK(server().sql("SELECT COUNT(*), MIN(seq), MAX(seq), COUNT(DISTINCT seq) FROM watchdog_records", db) == "15\t1\t15\t15\n");
    CHECK(server().sql("SELECT COUNT(*) FROM monitoring_logs", db) == "15\n");
    // A new sink (a daemon restart) sees what the old one stored.
    auto restarted = makeSink(tcpOptions(db));
    restarted->write(sampleResults(14, 16));
    CHECK(server().sql("SELECT GROUP_CONCAT(seq ORDER BY id) FROM watchdog_records WHERE seq > 12", db) == "13,14,15,16\n");
    // The same sequence at another time is another record (the sequence was reset with the state file).
    Record reset = sampleResult(3);
    reset.time += std::chrono::hours(24);
    restarted->write({reset});
    CHECK(server().sql("SELECT COUNT(*) FROM watchdog_records WHERE seq = 3", db) == "2\n");
}

TEST_CASE("mysql sink: history reads back whole records, oldest first, filtered by check and time") {
    const std::string db = freshDatabase();
    auto sink = makeSink(tcpOptions(db));
    CHECK(sink->readable());
    std::vector<Record> batch = sampleResults(1, 6);
    batch.push_back(sampleEvent(7));
    sink->write(batch);

    auto all = sink->readHistory(HistoryQuery{});
    REQUIRE(all.size() == 7);
    CHECK(sequencesOf(all) == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7});
    CHECK(all[0].checkLabel == "Icecast Sources");
    CHECK(all[0].result.summary == "1 source connected");
    CHECK(all[0].result.value == std::optional<double>(1.0));
    CHECK(all[0].result.details == batch[0].result.details);
    CHECK(all[6].kind == RecordKind::Event);
    CHECK(all[6].event.summary == batch[6].event.summary);

    HistoryQuery query;
    query.checkId = "icecast";
    query.since = batch[2].time;
    CHECK(sequencesOf(sink->readHistory(query)) == std::vector<std::uint64_t>{3, 5, 7});
    query = HistoryQuery{};
    query.limit = 2;
    CHECK(sequencesOf(sink->readHistory(query)) == std::vector<std::uint64_t>{6, 7});
}

TEST_CASE("mysql sink: utf8mb4 text survives, invalid UTF-8 and over-long labels do not block a batch") {
    const std::string db = freshDatabase();
    auto sink = makeSink(tcpOptions(db));
    Record emoji = result(1, "icecast", "Icecast Sources 📻", Status::Pass, "now playing: Café del Mar 🎶", 1, "");
    Record invalid = result(2, "icecast", "Icecast Sources", Status::Fail, "bad title \xff\xfe end", 0, "");
    Record longLabel = result(3, "x", std::string(60, 'L'), Status::Pass, "ok", 1, "");
    sink->write({emoji, invalid, longLabel});
    CHECK(server().sql("SELECT summary FROM watchdog_records ORDER BY id", db) ==
          "now playing: Café del Mar 🎶\nbad title \xEF\xBF\xBD\xEF\xBF\xBD end\nok\n");
    CHECK(server().sql("SELECT parameter FROM monitoring_logs ORDER BY id", db) ==
          "Icecast Sources 📻\nIcecast Sources\n" + std::string(50, 'L') + "\n");
}

TEST_CASE("mysql sink: an old latin1 table and an over-long summary do not block a batch") {
    const std::string db = freshDatabase();
    server().sql(std::string(kOldScriptCreate).substr(0, std::string(kOldScriptCreate).size() - 1) + " DEFAULT CHARSET=latin1;", db);
    auto sink = makeSink(tcpOptions(db));
    Record label = result(1, "icecast", "Café Sources 📻", Status::Pass, std::string(70000, 's'), 1, "");
    sink->write({label});
    CHECK(server().sql("SELECT parameter FROM monitoring_logs", db) == "Café Sources ?\n");
    CHECK(server().sql("SELECT LENGTH(summary) FROM watchdog_records", db) == "65535\n");
}

TEST_CASE("mysql sink: values SQL cannot hold (NaN, times past 2038) are stored as NULL, not refused") {
    const std::string db = freshDatabase();
    auto sink = makeSink(tcpOptions(db));
    Record nan = result(1, "cpu", "Liquidsoap CPU", Status::Error, "no sample", std::nan(""), "%");
    Record future = sampleResult(2);
    future.time = fromEpochMs(2524608000000);  // 2050-01-01
    sink->write({nan, future});
    CHECK(server().sql("SELECT seq, IFNULL(value, 'NULL'), IFNULL(time, 'NULL'), time_ms FROM watchdog_records"
                       " ORDER BY id",
                       db) == "1\tNULL\t" +
                                  server().sql("SELECT FROM_UNIXTIME(" + std::to_string(toEpochMs(nan.time)) + " / 1000)").substr(0, 19) +
                                  ".000\t" + std::to_string(toEpochMs(nan.time)) +
                                  "\n"
                                  "2\t1\tNULL\t2524608000000\n");
    CHECK(server().sql("SELECT COUNT(*) FROM monitoring_logs", db) == "2\n");
    auto back = sink->readHistory(HistoryQuery{});
    REQUIRE(back.size() == 2);
    CHECK_FALSE(back[0].result.value.has_value());
    CHECK(back[1].time == future.time);
}

TEST_CASE("mysql sink: connects over the unix socket") {
    const std::string db = freshDatabase();
    auto sink = makeSink("socket: " + server().socketPath() + "\nuser: watchdog\npassword: wd-secret\ndatabase: " + db + "\n");
    sink->write(sampleResults(1, 2));
    CHECK(server().sql("SELECT COUNT(*) FROM monitoring_logs", db) == "2\n");
}

TEST_CASE("mysql sink: wrong credentials, unknown database and incompatible tables give a clear error") {
    SUBCASE("wrong password") {
        const std::string db = freshDatabase();
        auto sink = makeSink(tcpOptions(db, "not-the-password"));
        const std::string error = errorOf([&] { sink->open(); });
        CHECK(error.find("mysql sink (127.0.0.1:" + std::to_string(server().port()) + "/" + db + ")") == 0);
        CHECK(error.find("refused user 'watchdog'") != std::string::npos);
        CHECK(error.find("check `user` and `password`") != std::string::npos);
        CHECK(error.find("not-the-password") == std::string::npos);
        // write() says the same (the core keeps the batch and retries).
        CHECK(errorOf([&] { sink->write(sampleResults(1, 1)); }) == error);
    }
    SUBCASE("unknown user") {
        auto sink = makeSink("host: 127.0.0.1\nport: " + std::to_string(server().port()) +
                             "\nuser: nobody_here\npassword: x\ndatabase: watchdog\n");
        CHECK(errorOf([&] { sink->open(); }).find("refused user 'nobody_here'") != std::string::npos);
    }
    SUBCASE("unknown database") {
        auto sink = makeSink(tcpOptions("no_such_db"));
        const std::string error = errorOf([&] { sink->open(); });
        // The user may not even see a database it has no grant on: MariaDB then answers "access denied".
        const bool clear = error.find("database 'no_such_db' does not exist: create it") != std::string::npos ||
                           error.find("may not use database 'no_such_db'") != std::string::npos;
        CHECK_MESSAGE(clear, error);
    }
    SUBCASE("unknown database the user could create") {
        server().sql("GRANT ALL ON `later_db`.* TO 'watchdog'@'127.0.0.1'");
        auto sink = makeSink(tcpOptions("later_db"));
        CHECK(errorOf([&] { sink->open(); }) == "mysql sink (127.0.0.1:" + std::to_string(server().port()) +
                                                    "/later_db): database 'later_db' does not exist: create it (CREATE DATABASE `later_db` "
                                                    "CHARACTER SET utf8mb4) and grant 'watchdog' access, or fix `database`");
    }
    SUBCASE("old table with an incompatible status column") {
        const std::string db = freshDatabase();
        server().sql(
            "CREATE TABLE monitoring_logs (id INT AUTO_INCREMENT PRIMARY KEY, timestamp DATETIME,"
            " parameter VARCHAR(50), status INT NOT NULL)",
            db);
        auto sink = makeSink(tcpOptions(db));
        const std::string error = errorOf([&] { sink->open(); });
        CHECK(error.find("table `monitoring_logs` is not compatible: column `status` is int(11), expected "
                         "ENUM('pass','fail')") != std::string::npos);
        CHECK(error.find("RENAME TABLE `monitoring_logs` TO `monitoring_logs_old`") != std::string::npos);
        CHECK(server().sql("SELECT COUNT(*) FROM monitoring_logs", db) == "0\n");
    }
    SUBCASE("old table without a label column (test_mysql_label_column has the whole message)") {
        const std::string db = freshDatabase();
        server().sql(
            "CREATE TABLE monitoring_logs (id INT AUTO_INCREMENT PRIMARY KEY, timestamp DATETIME,"
            " status ENUM('pass','fail'))",
            db);
        auto sink = makeSink(tcpOptions(db));
        CHECK(errorOf([&] { sink->open(); }).find("it has neither a `parameter` column") != std::string::npos);
    }
    SUBCASE("old table with an extra required column") {
        const std::string db = freshDatabase();
        server().sql(std::string(kOldScriptCreate) + " ALTER TABLE monitoring_logs ADD host VARCHAR(20) NOT NULL;", db);
        auto sink = makeSink(tcpOptions(db));
        CHECK(errorOf([&] { sink->open(); }).find("column `host` is NOT NULL without a default") != std::string::npos);
    }
    SUBCASE("records table without its unique key") {
        const std::string db = freshDatabase();
        auto sink = makeSink(tcpOptions(db));
        sink->open();
        sink->close();
        server().sql("ALTER TABLE watchdog_records DROP INDEX seq_time", db);
        auto again = makeSink(tcpOptions(db));
        CHECK(errorOf([&] { again->open(); })
                  .find("table `watchdog_records` is not compatible: it has no UNIQUE KEY "
                        "(seq, time_ms)") != std::string::npos);
    }
    SUBCASE("a user without CREATE privilege") {
        const std::string db = freshDatabase();
        server().sql("CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY 'r'; GRANT SELECT ON " + db + ".* TO 'reader'@'127.0.0.1'");
        auto sink =
            makeSink("host: 127.0.0.1\nport: " + std::to_string(server().port()) + "\nuser: reader\npassword: r\ndatabase: " + db + "\n");
        const std::string error = errorOf([&] { sink->open(); });
        CHECK(error.find("user 'reader' lacks a privilege") != std::string::npos);
        CHECK(error.find("GRANT CREATE, SELECT, INSERT ON `" + db + "`.* TO 'reader'") != std::string::npos);
    }
}

TEST_CASE("mysql sink: the server down gives a clear error; the next write after it is back succeeds") {
    MariaDbServer own;
    auto sink = makeSink(own.sinkOptionsYaml() + "connect_timeout: 1s\n");
    sink->write(sampleResults(1, 5));
    own.stop();
    const std::string error = errorOf([&] { sink->write(sampleResults(6, 10)); });
    CHECK(error.find("mysql sink (127.0.0.1:" + std::to_string(own.port()) + "/watchdog)") == 0);
    CHECK(error.find("records are kept and the sink retries") != std::string::npos);
    own.start();
    sink->write(sampleResults(6, 10));
    // Restarted while the connection sat idle: the write reconnects by itself.
    own.restart();
    sink->write(sampleResults(11, 12));
    CHECK(own.sql("SELECT GROUP_CONCAT(seq ORDER BY id) FROM watchdog_records", "watchdog") == "1,2,3,4,5,6,7,8,9,10,11,12\n");
}

TEST_CASE("mysql sink: configuration mistakes are reported where they are") {
    CHECK(errorOf([] { makeSink("user: a\ndatabase: b\ntls: verify\n"); }).find("tls_ca") != std::string::npos);
    CHECK(errorOf([] { makeSink("user: a\ndatabase: b\ntls: maybe\n"); }).find("pipeline.yaml:3") != std::string::npos);
    CHECK(errorOf([] { makeSink("user: a\ndatabase: b\ntable: \"logs; DROP TABLE x\"\n"); }).find("must be a plain table name") !=
          std::string::npos);
    CHECK(errorOf([] { makeSink("user: a\ndatabase: b\nport: 70000\n"); }).find("port") != std::string::npos);
    CHECK(errorOf([] { makeSink("database: b\n"); }).find("user") != std::string::npos);
}
