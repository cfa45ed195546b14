// The daemon killed with SIGKILL while records wait in the spool, or in the middle of replaying them
// into SQLite: after a restart every record is stored exactly once, in order. The "daemon" is a forked
// child running a sink queue; the parent kills it and plays the restarted daemon.

#include "history/Spool.h"

#include <watchdog/testing/PluginTestKit.h>
#include "SqliteSink.h"

#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <csignal>
#include <numeric>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace watchdog;
using namespace watchdog::sqlite;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

class DownSink : public Sink {
public:
    void configure(const Options&) override {}
    void write(const std::vector<Record>&) override { throw std::runtime_error("Can't connect to server on '127.0.0.1'"); }
};

// A real SQLite sink that takes a little longer per batch, so the parent can kill mid-replay.
class SlowSqliteSink : public SqliteSink {
public:
    void write(const std::vector<Record>& batch) override {
        SqliteSink::write(batch);
        std::this_thread::sleep_for(3ms);
    }
};

template <class S>
std::unique_ptr<S> sqliteSink(const TempDir& dir) {
    auto sink = std::make_unique<S>();
    sink->configure(optionsFromYaml("path: history.db\n", "sinks[0]", dir.path()));
    return sink;
}

SinkQueueSettings settings(const TempDir& dir) {
    return SinkQueueSettingsBuilder(dir.file("spool/sqlite")).maxBatch(100).retries(5ms, 20ms).build();
}

Poco::Int64 rowCount(const TempDir& dir) {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session s("SQLite", dir.file("history.db"));
    int tables = 0;
    s << "SELECT COUNT(*) FROM sqlite_master WHERE name = 'records'", Poco::Data::Keywords::into(tables), Poco::Data::Keywords::now;
    if (tables == 0) return 0;
    Poco::Int64 n = 0;
    s << "SELECT COUNT(*) FROM records", Poco::Data::Keywords::into(n), Poco::Data::Keywords::now;
    return n;
}

std::vector<std::uint64_t> seqRange(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> out(last - first + 1);
    std::iota(out.begin(), out.end(), first);
    return out;
}

// Runs `daemon` in a forked child that reports "ready" through a pipe; returns its pid once ready.
template <class F>
pid_t forkDaemon(F daemon) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        try {
            daemon([&] { (void)!::write(fds[1], "r", 1); });
        } catch (...) {
            ::_exit(3);
        }
        for (;;) ::pause();
    }
    ::close(fds[1]);
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, 20000);
    char c = 0;
    const bool ok = ready == 1 && ::read(fds[0], &c, 1) == 1;
    ::close(fds[0]);
    if (!ok) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        FAIL("the child daemon did not get ready");
    }
    return pid;
}

void killHard(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status));
}

}  // namespace

TEST_CASE("crash: a daemon SIGKILLed while its sink is down keeps the spool; the restart stores it all once, in order") {
    TempDir dir;
    const pid_t pid = forkDaemon([&](auto ready) {
        auto* q = new QueuedSink("sqlite", std::make_unique<DownSink>(), settings(dir));  // never destroyed: killed
        q->start();
        for (const auto& r : sampleResults(1, 1000)) q->push(r);
        while (q->stats().spooledRecords < 1000) std::this_thread::sleep_for(1ms);
        ready();
    });
    killHard(pid);

    QueuedSink restarted("sqlite", sqliteSink<SqliteSink>(dir), settings(dir));
    restarted.start();
    for (const auto& r : sampleResults(1001, 1100)) restarted.push(r);
    REQUIRE(waitUntil([&] { return restarted.stats().written >= 1100; }, 20s));
    restarted.stop(2s);
    auto reader = sqliteSink<SqliteSink>(dir);
    CHECK(sequencesOf(reader->readHistory({})) == seqRange(1, 1100));
    CHECK(restarted.stats().spooledRecords == 0);
}

TEST_CASE("crash: SIGKILL in the middle of a replay into SQLite; the restart finishes it without duplicates") {
    TempDir dir;
    const std::uint64_t total = 20000;
    {
        Spool spool(settings(dir).spoolDirectory, 1ULL << 30);
        const auto records = sampleResults(1, total);
        for (std::size_t i = 0; i < records.size(); i += 1000)
            spool.append(std::vector<Record>(records.begin() + static_cast<long>(i), records.begin() + static_cast<long>(i + 1000)));
    }
    const pid_t pid = forkDaemon([&](auto ready) {
        auto* q = new QueuedSink("sqlite", sqliteSink<SlowSqliteSink>(dir), settings(dir));
        q->start();
        while (q->stats().written < 1000) std::this_thread::sleep_for(1ms);
        ready();
    });
    killHard(pid);
    const Poco::Int64 atKill = rowCount(dir);
    CHECK(atKill >= 1000);
    CHECK(atKill < static_cast<Poco::Int64>(total));  // really killed mid-replay
    {
        Spool left(settings(dir).spoolDirectory, 1ULL << 30);
        CHECK(left.pendingRecords() > 0);
    }

    QueuedSink restarted("sqlite", sqliteSink<SqliteSink>(dir), settings(dir));
    restarted.start();
    REQUIRE(waitUntil([&] { return restarted.stats().spooledRecords == 0; }, 60s));
    restarted.stop(2s);
    CHECK(rowCount(dir) == static_cast<Poco::Int64>(total));
    HistoryQuery all;
    all.limit = total * 2;
    CHECK(sequencesOf(sqliteSink<SqliteSink>(dir)->readHistory(all)) == seqRange(1, total));
}
