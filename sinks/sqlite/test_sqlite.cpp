#include "SqliteSink.h"

#include <watchdog/testing/PluginTestKit.h>

#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <Poco/File.h>

#include <atomic>
#include <sqlite3.h>
#include <numeric>
#include <thread>

using namespace watchdog;
using namespace watchdog::sqlite;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace Poco::Data::Keywords;

namespace {

std::unique_ptr<SqliteSink> makeSink(const TempDir& dir, const std::string& extra = "") {
    return configure<SqliteSink>("path: history.db\n" + extra, "sinks[0]", dir.path());
}

std::vector<std::uint64_t> seqRange(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> out(last - first + 1);
    std::iota(out.begin(), out.end(), first);
    return out;
}

// A plain SQLite connection to look at the file the way a user's sqlite3 shell would.
Poco::Data::Session inspect(const std::string& path) {
    Poco::Data::SQLite::Connector::registerConnector();
    return Poco::Data::Session("SQLite", path);
}

}  // namespace

TEST_CASE("sqlite sink: results and events written are read back whole, oldest first") {
    TempDir dir;
    auto sink = makeSink(dir);
    sink->open();
    std::vector<Record> batch = sampleResults(1, 4);
    batch.push_back(sampleEvent(5));
    batch.push_back(sampleResult(6, "icecast", Status::Fail));
    batch.back().result.value.reset();
    sink->write(batch);

    HistoryQuery all;
    auto back = sink->readHistory(all);
    REQUIRE(back.size() == 6);
    CHECK(sequencesOf(back) == seqRange(1, 6));
    CHECK(back[0].checkId == "icecast");
    CHECK(back[0].checkLabel == "Icecast Sources");
    CHECK(back[1].checkId == "ts_age");
    CHECK(back[1].checkLabel == "HLS Old Files");
    CHECK(back[1].result.summary == "1 source connected");
    CHECK(back[1].result.value == 1.0);
    CHECK(back[1].result.unit == "sources");
    CHECK(back[1].result.details == Details{{"mount", "/live"}, {"listeners", "12"}});
    CHECK(back[1].time == batch[1].time);
    CHECK(back[4].kind == RecordKind::Event);
    CHECK(toString(back[4].event.type) == std::string("warning"));
    CHECK(back[4].event.failing == std::vector<std::string>{"icecast", "ts_age"});
    CHECK(back[4].event.deadline == batch[4].event.deadline);
    CHECK(toString(back[5].result.status) == std::string("fail"));
    CHECK_FALSE(back[5].result.value.has_value());
    sink->close();

    // The file is what the README promises: WAL mode, schema version 1, searchable columns.
    auto s = inspect(dir.file("history.db"));
    std::string mode;
    int version = 0, failures = 0;
    s << "PRAGMA journal_mode", into(mode), now;
    s << "SELECT version FROM schema_version", into(version), now;
    s << "SELECT COUNT(*) FROM records WHERE check_id = 'icecast' AND status = 'fail'", into(failures), now;
    CHECK(mode == "wal");
    CHECK(version == SqliteSink::kSchemaVersion);
    CHECK(failures == 1);
}

TEST_CASE("sqlite sink: history queries filter by time and check (events always included) and keep the newest") {
    TempDir dir;
    auto sink = makeSink(dir);
    std::vector<Record> batch = sampleResults(1, 20);
    batch.push_back(sampleEvent(21, EventType::Recovered));
    sink->write(batch);

    HistoryQuery since;
    since.since = batch[9].time;  // seq 10 onward
    CHECK(sequencesOf(sink->readHistory(since)) == seqRange(10, 21));

    HistoryQuery oneCheck;
    oneCheck.checkId = "icecast";
    auto icecast = sink->readHistory(oneCheck);
    CHECK(sequencesOf(icecast) == std::vector<std::uint64_t>{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21});

    HistoryQuery limited;
    limited.limit = 3;
    CHECK(sequencesOf(sink->readHistory(limited)) == seqRange(19, 21));
}

TEST_CASE("sqlite sink: a replayed batch is stored once (skipped by sequence)") {
    TempDir dir;
    auto sink = makeSink(dir);
    sink->write(sampleResults(1, 100));
    sink->write(sampleResults(50, 150));  // 50..100 offered again, as after a crash mid-replay
    sink->write(sampleResults(150, 150));
    CHECK(sequencesOf(sink->readHistory({})) == seqRange(1, 150));
}

TEST_CASE("sqlite sink: its memory stays flat while the file grows (the page cache is bounded)") {
    TempDir dir;
    auto sink = makeSink(dir);
    const sqlite3_int64 before = sqlite3_memory_used();
    // 25000 records: about 9 MB of file, four times SQLite's default cache of 2 MiB.
    for (std::uint64_t next = 1; next < 25000; next += 500) sink->write(sampleResults(next, next + 499));
    const sqlite3_int64 grown = sqlite3_memory_used() - before;
    INFO("SQLite's memory: " << before / 1024 << " KiB, grew by " << grown / 1024 << " KiB while the file reached "
                             << Poco::File(dir.file("history.db")).getSize() / 1024 << " KiB");
    CHECK(Poco::File(dir.file("history.db")).getSize() > 4 * 1024 * 1024);
    CHECK(grown < 1024 * 1024);
}

TEST_CASE("sqlite sink: a reader on its own connection sees whole batches while another thread writes") {
    TempDir dir;
    auto writer = makeSink(dir);
    writer->open();
    std::atomic<bool> done{false};
    std::thread t([&] {
        for (std::uint64_t b = 0; b < 100; ++b) writer->write(sampleResults(b * 20 + 1, b * 20 + 20));
        done = true;
    });
    auto reader = makeSink(dir);  // as `history` does: a second instance of the sink
    reader->open();
    int reads = 0;
    std::size_t last = 0;
    bool consistent = true;
    while (!done || reads == 0) {
        auto seen = reader->readHistory({});
        ++reads;
        // Each read is a prefix of the stream, in whole batches, never shrinking.
        if (seen.size() % 20 != 0 || seen.size() < last ||
            sequencesOf(seen) != (seen.empty() ? std::vector<std::uint64_t>{} : seqRange(1, seen.size())))
            consistent = false;
        last = seen.size();
    }
    t.join();
    CHECK(consistent);
    CHECK(reads > 0);
    CHECK(reader->readHistory({}).size() == 2000);
}

TEST_CASE("sqlite sink: a corrupt database file gives a clear error naming the file") {
    TempDir dir;
    std::string garbage(8192, 'x');
    dir.write("history.db", "this is certainly not SQLite\n" + garbage);
    auto sink = makeSink(dir);
    const std::string expected = "sqlite sink: " + dir.file("history.db") + " is not a usable SQLite database";
    CHECK_THROWS_WITH_AS(sink->open(), doctest::Contains(expected.c_str()), std::runtime_error);
    CHECK_THROWS_WITH_AS(sink->write(sampleResults(1, 1)), doctest::Contains(expected.c_str()), std::runtime_error);
}

TEST_CASE("sqlite sink: a file from a newer version is refused rather than rewritten") {
    TempDir dir;
    {
        auto sink = makeSink(dir);
        sink->write(sampleResults(1, 1));
        sink->close();
    }
    {
        auto s = inspect(dir.file("history.db"));
        s << "UPDATE schema_version SET version = 99", now;
    }
    auto sink = makeSink(dir);
    CHECK_THROWS_WITH_AS(sink->open(), doctest::Contains("schema version 99 is newer than this program's 1"), std::runtime_error);
}

TEST_CASE("sqlite sink: bad options are config errors at the key") {
    TempDir dir;
    CHECK_THROWS_WITH_AS(makeSink(dir, "busy_timeout: 2h\n"), doctest::Contains("pipeline.yaml:2:15: sinks[0].busy_timeout"), ConfigError);
    CHECK_THROWS_WITH_AS(makeSink(dir, "synchronous: maybe\n"), doctest::Contains("sinks[0].synchronous"), ConfigError);
    CHECK_THROWS_WITH_AS(makeSink(dir, "pth: x\n"), doctest::Contains("pth"), ConfigError);
}

TEST_CASE("sqlite sink: a missing parent folder is created; an unusable one is an error naming the file") {
    TempDir dir;
    {
        SqliteSink sink;
        sink.configure(optionsFromYaml("path: data/history/history.db\n", "sinks[0]", dir.path()));
        sink.write(sampleResults(1, 2));
        CHECK(sequencesOf(sink.readHistory({})) == seqRange(1, 2));
    }
    dir.write("blocker", "x");
    SqliteSink sink;
    sink.configure(optionsFromYaml("path: blocker/history.db\n", "sinks[0]", dir.path()));
    const std::string expected = "sqlite sink: cannot open " + dir.file("blocker/history.db");
    CHECK_THROWS_WITH_AS(sink.open(), doctest::Contains(expected.c_str()), std::runtime_error);
}
