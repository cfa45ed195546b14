// Rows per second into a real MariaDB (started here, like the tests do), run by hand:
//   build/bench/bench_mysql [records]
// Prints, in one run on one server: the mysql sink writing batches of 500 (the sink queue's default
// batch), the ceiling for the same rows (LOAD DATA LOCAL INFILE of what the sink wrote, into the same
// tables, in one transaction) and the sink's share of it, the sink queue fed as fast as it takes
// records (sustained, through its memory queue and spool, every record counted in both tables), the
// same sink given one record per write (one INSERT and one commit per row, what a naive logger
// does), a batch offered again (a replay, skipped by sequence), and the sink queue replaying a spool
// of 100k records (filled while the server was down) once the server is back.
#include "MysqlSink.h"

#include "config/ConfigNode.h"
#include "history/SinkQueue.h"

#include "MariaDbServer.h"

#include <mysql.h>

#include <cstdio>
#include <iostream>

using namespace watchdog;
using namespace watchdog::mysql;
using namespace watchdog::test;
using Steady = std::chrono::steady_clock;

namespace {

std::unique_ptr<MysqlSink> makeSink(const MariaDbServer& db, const std::string& database, bool open = true) {
    auto root = parseYaml(
        "host: 127.0.0.1\nport: " + std::to_string(db.port()) + "\nuser: watchdog\npassword: wd-secret\ndatabase: " + database + "\n",
        "bench.yaml");
    auto sink = std::make_unique<MysqlSink>();
    sink->configure(Options(root, "sinks[0]", "/tmp"));
    if (open) sink->open();
    return sink;
}

// Results as the daemon makes them: two checks alternating, one second apart, with details.
std::vector<Record> results(std::size_t n) {
    std::vector<Record> out(n);
    const long long base = 1795489200000;  // 2026-11-24T03:00:00Z
    for (std::size_t i = 0; i < n; ++i) {
        Record& r = out[i];
        r.sequence = i + 1;
        r.time = fromEpochMs(base + static_cast<long long>(i) * 1000);
        r.pipeline = "station-eu";
        r.checkId = i % 2 ? "icecast" : "hls_age";
        r.checkLabel = i % 2 ? "Icecast Sources" : "HLS Old Files";
        r.result = i % 2 ? Result::pass("1 source connected").withValue(1, "sources")
                         : Result::fail("3 files older than 15m").withValue(3, "files");
        r.result.detail("mount", "/live").detail("listeners", "12");
        r.duration = std::chrono::milliseconds(35);
    }
    return out;
}

// LOAD DATA LOCAL INFILE of the rows in `files` (table -> tab-separated file), in one transaction,
// over TCP as the test user: the fastest way the server takes these rows.
double loadData(const MariaDbServer& db, const std::string& database, const std::vector<std::pair<std::string, std::string>>& files) {
    MYSQL* mysql = mysql_init(nullptr);
    unsigned localInfile = 1;
    mysql_options(mysql, MYSQL_OPT_LOCAL_INFILE, &localInfile);
    mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(mysql, "127.0.0.1", db.user().c_str(), db.password().c_str(), database.c_str(),
                            static_cast<unsigned>(db.port()), nullptr, 0))
        throw std::runtime_error(std::string("LOAD DATA connection: ") + mysql_error(mysql));
    auto run = [&](const std::string& sql) {
        if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) throw std::runtime_error(sql.substr(0, 60) + ": " + mysql_error(mysql));
    };
    const auto start = Steady::now();
    run("START TRANSACTION");
    for (const auto& [table, file] : files) run("LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE `" + table + "` CHARACTER SET utf8mb4");
    run("COMMIT");
    const double took = std::chrono::duration<double>(Steady::now() - start).count();
    mysql_close(mysql);
    return took;
}

double seconds(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

// Every record here is a result: one row in monitoring_logs plus one in watchdog_records.
void report(const char* what, std::size_t records, double s) {
    std::printf("%-54s %6zu records in %6.3f s = %7.0f records/s = %7.0f table rows/s\n", what, records, s, records / s, 2 * records / s);
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t total = argc > 1 ? std::stoul(argv[1]) : 20000;
    const std::size_t single = std::min<std::size_t>(total, 2000);
    const std::size_t batchSize = 500;
    try {
        MariaDbServer db;
        std::printf("MariaDB %s", db.sql("SELECT VERSION()").c_str());
        db.sql("CREATE DATABASE perrow; GRANT ALL ON perrow.* TO 'watchdog'@'127.0.0.1'");
        std::vector<Record> records = results(total);

        auto batched = makeSink(db, "watchdog");
        auto start = Steady::now();
        for (std::size_t i = 0; i < records.size(); i += batchSize) {
            std::vector<Record> batch(records.begin() + static_cast<long>(i),
                                      records.begin() + static_cast<long>(std::min(i + batchSize, records.size())));
            batched->write(batch);
        }
        const double batchedSeconds = seconds(start);
        report("batched (500 per write, one transaction each)", total, batchedSeconds);

        // The ceiling: the very rows the sink stored, exported and loaded into fresh copies of its tables.
        TempDir exported;
        db.sql("SELECT * FROM watchdog.watchdog_records INTO OUTFILE '" + exported.file("records.tsv") +
               "' CHARACTER SET utf8mb4; SELECT * FROM watchdog.monitoring_logs INTO OUTFILE '" + exported.file("logs.tsv") +
               "' CHARACTER SET utf8mb4");
        db.sql("CREATE DATABASE ceiling; GRANT ALL ON ceiling.* TO 'watchdog'@'127.0.0.1'");
        makeSink(db, "ceiling");  // creates the same tables, empty
        const double loadSeconds =
            loadData(db, "ceiling", {{"watchdog_records", exported.file("records.tsv")}, {"monitoring_logs", exported.file("logs.tsv")}});
        report("ceiling: LOAD DATA LOCAL INFILE of the same rows (1 tx)", total, loadSeconds);
        std::printf("sink batched / LOAD DATA ceiling: %.2f\n", loadSeconds / batchedSeconds);

        // Sustained: the sink queue (memory queue, spool, batches) fed faster than the server takes rows.
        {
            const std::size_t sustained = std::max<std::size_t>(total * 5, 100000);
            db.sql("CREATE DATABASE sustained; GRANT ALL ON sustained.* TO 'watchdog'@'127.0.0.1'");
            TempDir spoolDir;
            SinkQueueSettings settings;
            settings.spoolDirectory = spoolDir.file("spool");
            SinkQueue queue("mysql", makeSink(db, "sustained"), settings);
            queue.start();
            const std::vector<Record> many = results(sustained);
            start = Steady::now();
            for (const Record& r : many) queue.push(r);
            if (!waitUntil([&] { return queue.stats().written >= sustained; }, std::chrono::minutes(10), std::chrono::milliseconds(5)))
                throw std::runtime_error("sustained run did not finish: " + queue.stats().lastError);
            report("sustained: sink queue fed as fast as it takes records", sustained, seconds(start));
            const auto dropped = queue.stats().dropped;
            queue.stop(std::chrono::seconds(10));
            if (dropped != 0) throw std::runtime_error(std::to_string(dropped) + " records dropped in the sustained run");
            const std::string rows = db.sql(
                "SELECT (SELECT COUNT(DISTINCT seq) FROM sustained.watchdog_records),"
                " (SELECT COUNT(*) FROM sustained.monitoring_logs)");
            std::printf("sustained rows stored (distinct seq in watchdog_records, monitoring_logs): %s", rows.c_str());
            if (rows != std::to_string(sustained) + "\t" + std::to_string(sustained) + "\n")
                throw std::runtime_error("records lost in the sustained run: " + rows);
        }

        start = Steady::now();
        for (std::size_t i = 0; i < records.size(); i += batchSize) {
            std::vector<Record> batch(records.begin() + static_cast<long>(i),
                                      records.begin() + static_cast<long>(std::min(i + batchSize, records.size())));
            batched->write(batch);
        }
        report("replayed batches (all already stored, skipped)", total, seconds(start));

        auto perRow = makeSink(db, "perrow");
        start = Steady::now();
        for (std::size_t i = 0; i < single; ++i) perRow->write({records[i]});
        report("one record per write (one INSERT + commit per row)", single, seconds(start));

        // Spool replay through the sink queue: the server is down while the records arrive.
        const std::size_t spooled = 100000;
        db.sql("CREATE DATABASE replay; GRANT ALL ON replay.* TO 'watchdog'@'127.0.0.1'");
        TempDir dir;
        SinkQueueSettings settings;
        settings.spoolDirectory = dir.file("spool");
        settings.retryMin = std::chrono::milliseconds(20);
        settings.retryMax = std::chrono::milliseconds(100);
        db.stop();
        SinkQueue queue("mysql", makeSink(db, "replay", false), settings);
        queue.start();
        for (const Record& r : results(spooled)) queue.push(r);
        if (!waitUntil([&] { return queue.stats().spooledRecords == spooled; }, std::chrono::minutes(5)))
            throw std::runtime_error("the spool did not fill: " + std::to_string(queue.stats().spooledRecords));
        db.start();
        start = Steady::now();
        if (!waitUntil([&] { return queue.stats().written >= spooled; }, std::chrono::minutes(10), std::chrono::milliseconds(5)))
            throw std::runtime_error("replay did not finish: " + queue.stats().lastError);
        report("spool replay after the server came back (sink queue)", spooled, seconds(start));
        queue.stop(std::chrono::seconds(10));

        auto count = [&](const std::string& database) {
            std::string n = db.sql("SELECT COUNT(*) FROM " + database + ".watchdog_records");
            return n.substr(0, n.find('\n'));
        };
        std::printf(
            "records stored: batched %s, per row %s, replayed %s (each record is one row in monitoring_logs "
            "and one in watchdog_records)\n",
            count("watchdog").c_str(), count("perrow").c_str(), count("replay").c_str());
    } catch (const std::exception& e) {
        std::cerr << "bench_mysql: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
