// Rows per second into a real MariaDB (started here, like the tests do), run by hand:
//   build/bench/bench_mysql [records]
// Prints, in one run on one server: the mysql sink writing batches of 500 (the sink queue's default
// batch), the same sink given one record per write (one INSERT and one commit per row, what a
// naive logger does), a batch offered again (a replay, skipped by sequence), and the sink queue
// replaying a spool of 100k records (filled while the server was down) once the server is back.
#include "mysql_sink.h"

#include "config/ConfigNode.h"
#include "history/SinkQueue.h"

#include "MariaDbServer.h"

#include <cstdio>
#include <iostream>

using namespace watchdog;
using namespace watchdog::test;
using Steady = std::chrono::steady_clock;

namespace {

std::unique_ptr<MysqlSink> makeSink(const MariaDbServer& db, const std::string& database, bool open = true) {
    auto root = parseYaml("host: 127.0.0.1\nport: " + std::to_string(db.port()) +
                              "\nuser: watchdog\npassword: wd-secret\ndatabase: " + database + "\n",
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

double seconds(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

// Every record here is a result: one row in monitoring_logs plus one in watchdog_records.
void report(const char* what, std::size_t records, double s) {
    std::printf("%-54s %6zu records in %6.3f s = %7.0f records/s = %7.0f table rows/s\n", what, records, s,
                records / s, 2 * records / s);
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
        report("batched (500 per write, one transaction each)", total, seconds(start));

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
        if (!waitUntil([&] { return queue.stats().written >= spooled; }, std::chrono::minutes(10),
                       std::chrono::milliseconds(5)))
            throw std::runtime_error("replay did not finish: " + queue.stats().lastError);
        report("spool replay after the server came back (sink queue)", spooled, seconds(start));
        queue.stop(std::chrono::seconds(10));

        auto count = [&](const std::string& database) {
            std::string n = db.sql("SELECT COUNT(*) FROM " + database + ".watchdog_records");
            return n.substr(0, n.find('\n'));
        };
        std::printf("records stored: batched %s, per row %s, replayed %s (each record is one row in monitoring_logs "
                    "and one in watchdog_records)\n",
                    count("watchdog").c_str(), count("perrow").c_str(), count("replay").c_str());
    } catch (const std::exception& e) {
        std::cerr << "bench_mysql: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
