// The real daemon writing to a real MariaDB: the server goes down, the daemon spools, is killed with
// SIGKILL while spooled, and is started again after the server is back.
#include "history/RecordJson.h"

#include "MariaDbServer.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <set>
#include <sstream>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

long long count(const MariaDbServer& db, const std::string& query) {
    auto [rc, out] = db.trySql(query, db.database());
    return rc == 0 ? std::stoll(out) : -1;
}

// Sequences of the records in a spool file (its first line is a header, not a record).
std::set<std::uint64_t> spooledSequences(const std::string& path) {
    std::set<std::uint64_t> out;
    std::ifstream in(path);
    std::string line;
    for (bool first = true; std::getline(in, line); first = false) {
        if (first) continue;
        try {
            out.insert(recordFromJsonLine(line).sequence);
        } catch (const std::exception&) {
            // a torn last line: the daemon cuts it off on open
        }
    }
    return out;
}

}  // namespace

TEST_CASE(
    "mysql sink in the daemon: killed (SIGKILL) while spooled, restarted after the server is back: every "
    "spooled record arrives once, in order") {
    const std::string binary = watchdogBinary();
    REQUIRE_MESSAGE(std::ifstream(binary).good(), "build encoder-watchdog first: " << binary);
    MariaDbServer db;
    TempDir dir;
    const std::string script = dir.write("script", "pass all good\n");
    const std::string pipeline = dir.write("pipeline.yaml",
                                           "watchdog:\n  name: kill-test\n  interval: 20ms\n  timeout: 15ms\n  state_file: state.json\n"
                                           "checks:\n"
                                           "  icecast: { plugin: scripted, label: Icecast Sources, file: " +
                                               script +
                                               " }\n"
                                               "  ts_count: { plugin: scripted, label: TS File Count, file: " +
                                               script +
                                               " }\n"
                                               "sinks:\n"
                                               "  - { plugin: mysql, host: 127.0.0.1, port: " +
                                               std::to_string(db.port()) +
                                               ", user: watchdog, password: \"${DB_PASS}\", database: watchdog, connect_timeout: 1s }\n");
    const std::vector<std::string> argv = {binary, "run", pipeline, "--plugin-path", buildDir() + "/tests/plugins"};
    const std::map<std::string, std::string> env = {{"DB_PASS", db.password()}};
    const std::string spool = dir.file("spool/mysql/spool.jsonl");

    auto first = std::make_unique<ChildProcess>(argv, env);
    REQUIRE_MESSAGE(waitUntil([&] { return count(db, "SELECT COUNT(*) FROM monitoring_logs") >= 50; }, 30s), first->output());
    db.stop();
    REQUIRE_MESSAGE(waitUntil([&] { return spooledSequences(spool).size() >= 100; }, 30s), first->output());
    first->signal(SIGKILL);
    first->wait(5s);
    const std::set<std::uint64_t> spooled = spooledSequences(spool);
    REQUIRE(!spooled.empty());
    first.reset();

    db.start();
    auto second = std::make_unique<ChildProcess>(argv, env);
    const std::string last = std::to_string(*spooled.rbegin());
    REQUIRE_MESSAGE(waitUntil([&] { return count(db, "SELECT COUNT(*) FROM watchdog_records WHERE seq > " + last) >= 20; }, 60s, 100ms),
                    second->output());
    CHECK(second->stop(10s) == 0);

    // Every record that was in the spool when the daemon was killed is stored...
    std::ostringstream list;
    for (auto s : spooled) list << (list.tellp() ? "," : "") << s;
    CHECK(count(db, "SELECT COUNT(*) FROM watchdog_records WHERE seq IN (" + list.str() + ")") == static_cast<long long>(spooled.size()));
    // ...once...
    CHECK(count(db, "SELECT COUNT(*) - COUNT(DISTINCT seq) FROM watchdog_records") == 0);
    CHECK(count(db, "SELECT COUNT(*) FROM monitoring_logs") == count(db, "SELECT COUNT(*) FROM watchdog_records WHERE kind = 'result'"));
    // ...and in order: row ids follow the sequence.
    CHECK(count(db,
                "SELECT COUNT(*) FROM (SELECT seq - LAG(seq) OVER (ORDER BY id) AS step FROM watchdog_records) t"
                " WHERE step <= 0") == 0);
    // The sequence jumps once, at the restart: the daemon reserves sequence numbers in blocks (and
    // records still in memory at the SIGKILL, not yet spooled, are gone with the process).
    CHECK(count(db,
                "SELECT COUNT(*) FROM (SELECT seq - LAG(seq) OVER (ORDER BY id) AS step FROM watchdog_records) t"
                " WHERE step > 1") <= 1);
}
