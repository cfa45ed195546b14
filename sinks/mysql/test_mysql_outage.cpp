#include "MysqlSink.h"

#include <watchdog/testing/PluginTestKit.h>

#include "MariaDbServer.h"
#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::mysql;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<MysqlSink> makeSink(const std::string& yaml) {
    auto sink = std::make_unique<MysqlSink>();
    sink->configure(testing::optionsFromYaml(yaml, "sinks[0]"));
    return sink;
}

SinkQueueSettings quickRetries(const TempDir& dir) {
    return testing::SinkQueueSettingsBuilder(dir.file("spool")).maxBatch(200).retries(20ms, 200ms).build();
}

void pushRange(testing::QueuedSink& queue, std::uint64_t first, std::uint64_t last) {
    for (const auto& r : sampleResults(first, last)) queue.push(r);
}

long long rowsIn(const MariaDbServer& db, const std::string& table) {
    auto [rc, out] = db.trySql("SELECT COUNT(*) FROM " + table, db.database());
    return rc == 0 ? std::stoll(out) : -1;
}

}  // namespace

TEST_CASE("mysql sink behind the sink queue: a server stopped, then killed, mid-run loses and repeats nothing") {
    MariaDbServer db;
    TempDir dir;
    testing::QueuedSink queue("mysql", makeSink(db.sinkOptionsYaml() + "connect_timeout: 1s\n"), quickRetries(dir));
    queue.start();
    const std::uint64_t total = 6000;

    pushRange(queue, 1, 2000);
    REQUIRE(waitUntil([&] { return queue.stats().written >= 400; }, 30s));
    db.stop();  // clean shutdown while batches are still coming
    pushRange(queue, 2001, 3500);
    REQUIRE(waitUntil([&] { return queue.stats().failures > 0; }, 30s));
    CHECK(queue.stats().lastError.find("mysql sink (127.0.0.1:") == 0);
    db.start();
    REQUIRE(waitUntil([&] { return rowsIn(db, "watchdog_records") >= 3000; }, 60s, 50ms));
    const auto failuresBefore = queue.stats().failures;
    pushRange(queue, 3501, 5000);
    db.kill();  // SIGKILL: transactions in flight are rolled back by InnoDB's recovery
    pushRange(queue, 5001, total);
    REQUIRE(waitUntil([&] { return queue.stats().failures > failuresBefore; }, 30s));
    db.start();
    REQUIRE_MESSAGE(waitUntil([&] { return rowsIn(db, "watchdog_records") == static_cast<long long>(total); }, 120s, 200ms),
                    "rows: " << rowsIn(db, "watchdog_records") << ", last error: " << queue.stats().lastError);
    queue.stop(5s);
    CHECK(queue.stats().spooledRecords == 0);

    // Every record once...
    CHECK(db.sql("SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM watchdog_records", "watchdog") == "6000\t6000\t1\t6000\n");
    // ...in order: row ids follow the sequence with no gap or swap.
    CHECK(db.sql("SELECT COUNT(*) FROM (SELECT seq - LAG(seq) OVER (ORDER BY id) AS step FROM watchdog_records) t"
                 " WHERE step <> 1",
                 "watchdog") == "0\n");
    // The old table too: one row per result, and (one second apart per record) timestamps rise by one.
    CHECK(db.sql("SELECT COUNT(*) FROM monitoring_logs", "watchdog") == "6000\n");
    CHECK(db.sql("SELECT COUNT(*) FROM (SELECT UNIX_TIMESTAMP(timestamp) - LAG(UNIX_TIMESTAMP(timestamp))"
                 " OVER (ORDER BY id) AS step FROM monitoring_logs) t WHERE step <> 1",
                 "watchdog") == "0\n");
    const long long first = toEpochMs(sampleResult(1).time) / 1000;
    CHECK(db.sql("SELECT MIN(UNIX_TIMESTAMP(timestamp)) - " + std::to_string(first) +
                     ", SUM(parameter = 'Icecast Sources') FROM monitoring_logs",
                 "watchdog") == "0\t3000\n");
}

TEST_CASE("mysql sink behind the sink queue: records refused for a wrong password are kept and arrive once fixed") {
    MariaDbServer db;
    TempDir dir;
    testing::QueuedSink queue("mysql",
                              makeSink("host: 127.0.0.1\nport: " + std::to_string(db.port()) +
                                       "\nuser: watchdog\npassword: rotated-secret\ndatabase: watchdog\n"),
                              quickRetries(dir));
    queue.start();
    pushRange(queue, 1, 300);
    REQUIRE(waitUntil([&] { return queue.stats().failures > 0 && queue.stats().spooledRecords > 0; }, 30s));
    const auto stats = queue.stats();
    CHECK(stats.lastError.find("refused user 'watchdog'") != std::string::npos);
    CHECK(stats.lastError.find("rotated-secret") == std::string::npos);
    // The operator fixes the account; the queue's retries get through.
    db.sql("ALTER USER 'watchdog'@'127.0.0.1' IDENTIFIED BY 'rotated-secret'");
    REQUIRE(waitUntil([&] { return rowsIn(db, "monitoring_logs") == 300; }, 60s, 100ms));
    queue.stop(5s);
    CHECK(db.sql("SELECT COUNT(*) FROM (SELECT seq - LAG(seq) OVER (ORDER BY id) AS step FROM watchdog_records) t"
                 " WHERE step <> 1",
                 "watchdog") == "0\n");
    CHECK(db.sql("SELECT COUNT(*), COUNT(DISTINCT seq) FROM watchdog_records", "watchdog") == "300\t300\n");
}
