// The real daemon writes its history to the default SQLite file while `encoder-watchdog history`
// reads it from another process, again and again; then the daemon is SIGKILLed while the database is
// locked by someone else and its records wait in the spool, and a restart stores them all, once.

#include "TestSupport.h"

#include <doctest/doctest.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <csignal>
#include <set>
#include <thread>

using namespace watchdog::test;
using namespace std::chrono_literals;
using namespace Poco::Data::Keywords;

namespace {

struct Station {
    TempDir dir;
    std::string pipeline;

    Station() {
        dir.write("icecast.txt", "pass 1 source connected\nvalue=1\n");
        dir.write("ts_age.txt", "fail 3 segments older than 15m\n");
        pipeline = dir.write("pipeline.yaml",
                             "watchdog:\n  name: history-test\n  interval: 20ms\n  timeout: 500ms\n  state_file: state.json\n"
                             "checks:\n"
                             "  icecast: { plugin: scripted, label: Icecast Sources, file: icecast.txt }\n"
                             "  ts_age: { plugin: scripted, label: HLS Old Files, file: ts_age.txt }\n"
                             "rules:\n  failover:\n    when: any\n    wait: 1h\n");
    }
    std::vector<std::string> command(const std::string& verb, std::vector<std::string> extra = {}) const {
        std::vector<std::string> argv{watchdogBinary(), verb, pipeline};
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.push_back("--plugin-path");
        argv.push_back(buildDir() + "/tests/plugins");
        return argv;
    }
    Poco::JSON::Object::Ptr history(std::vector<std::string> extra = {}) const {
        extra.push_back("--json");
        auto [code, output] = runCommand(command("history", extra), 20s);
        INFO(output);
        REQUIRE(code == 0);
        Poco::JSON::Parser parser;
        return parser.parse(output).extract<Poco::JSON::Object::Ptr>();
    }
};

std::vector<std::uint64_t> sequences(const Poco::JSON::Object::Ptr& report) {
    std::vector<std::uint64_t> out;
    auto records = report->getArray("records");
    for (std::size_t i = 0; i < records->size(); ++i) out.push_back(records->getObject(i)->getValue<std::uint64_t>("seq"));
    return out;
}

bool noDuplicates(const std::vector<std::uint64_t>& v) { return std::set<std::uint64_t>(v.begin(), v.end()).size() == v.size(); }

std::vector<std::string> times(const Poco::JSON::Object::Ptr& report) {
    std::vector<std::string> out;
    auto records = report->getArray("records");
    for (std::size_t i = 0; i < records->size(); ++i) out.push_back(records->getObject(i)->getValue<std::string>("time"));
    return out;
}

bool strictlyIncreasing(const std::vector<std::uint64_t>& v) {
    for (std::size_t i = 1; i < v.size(); ++i)
        if (v[i] <= v[i - 1]) return false;
    return true;
}

}  // namespace

TEST_CASE("daemon + history: the history verb reads the default SQLite file while the daemon writes it") {
    Station station;
    ChildProcess daemon(station.command("run"));
    REQUIRE(waitUntil([&] { return station.history()->getArray("records")->size() >= 20; }, 20s));
    std::size_t last = 0;
    for (int i = 0; i < 8; ++i) {  // each read is a separate process racing the writer
        const auto report = station.history();
        const auto seqs = sequences(report);
        // Oldest first by time (two checks finishing together may take their sequence numbers in
        // either order, so the sequence need not rise along the time line), and nothing twice.
        const auto t = times(report);
        CHECK(std::is_sorted(t.begin(), t.end()));
        CHECK(noDuplicates(seqs));
        CHECK(seqs.size() >= last);
        last = seqs.size();
    }
    const auto icecast = station.history({"--check", "icecast"});
    auto records = icecast->getArray("records");
    std::set<std::string> checks;
    for (std::size_t i = 0; i < records->size(); ++i) {
        auto r = records->getObject(i);
        if (r->getValue<std::string>("kind") == "result") checks.insert(r->getValue<std::string>("check"));
    }
    CHECK(checks == std::set<std::string>{"icecast"});
    auto tallies = icecast->getArray("checks");
    REQUIRE(tallies->size() == 1);
    CHECK(tallies->getObject(0)->getValue<double>("passing_percent") == doctest::Approx(100.0));

    auto [code, table] = runCommand(station.command("history", {"--since", "1h"}), 20s);
    CHECK(code == 0);
    CHECK(table.find("Icecast Sources") != std::string::npos);
    CHECK(table.find("3 segments older than 15m") != std::string::npos);
    CHECK(table.find("event warning (failover)") != std::string::npos);
    CHECK(table.find("ts_age: 0 % passing, ") != std::string::npos);
    CHECK(daemon.stop() == 0);
}

TEST_CASE("daemon + history: SIGKILL while the database is locked keeps the records in the spool; the restart stores them once") {
    Station station;
    const std::string db = station.dir.file("history.db");
    {
        ChildProcess daemon(station.command("run"));
        REQUIRE(waitUntil([&] { return station.history()->getArray("records")->size() >= 10; }, 20s));
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session locker("SQLite", db);
        locker << "BEGIN EXCLUSIVE", now;  // the daemon's writes now wait, time out and spool
        REQUIRE(waitUntil([&] { return watchdog::test::readFile(station.dir.file("spool/sqlite/spool.jsonl")).size() > 2000; }, 20s));
        daemon.signal(SIGKILL);
        daemon.wait(5s);
        locker << "ROLLBACK", now;
    }
    const std::string spooled = readFile(station.dir.file("spool/sqlite/spool.jsonl"));
    REQUIRE(spooled.find("\"kind\":\"result\"") != std::string::npos);

    ChildProcess restarted(station.command("run"));
    REQUIRE(waitUntil([&] { return readFile(station.dir.file("spool/sqlite/spool.jsonl")).size() < 100; }, 20s));
    CHECK(restarted.stop() == 0);
    Poco::Data::Session s("SQLite", db);
    std::vector<Poco::Int64> seqs;
    s << "SELECT seq FROM records ORDER BY id", into(seqs), now;
    std::vector<std::uint64_t> asUnsigned(seqs.begin(), seqs.end());
    CHECK(strictlyIncreasing(asUnsigned));  // in order, and no record twice
    // Every record that was waiting in the spool at the kill is in the database now.
    std::size_t spooledCount = 0, found = 0;
    for (std::size_t at = spooled.find("\"seq\":"); at != std::string::npos; at = spooled.find("\"seq\":", at + 1)) {
        ++spooledCount;
        if (std::find(seqs.begin(), seqs.end(), std::stoll(spooled.substr(at + 6))) != seqs.end()) ++found;
    }
    CHECK(spooledCount > 10);
    CHECK(found == spooledCount);
}
