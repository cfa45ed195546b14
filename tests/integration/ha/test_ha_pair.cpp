// Two real daemons on one pipeline sharing a lease in a real MariaDB, aws_start against the suite's
// EC2 endpoint: exactly one warns and one StartInstances happens; the leader killed mid-countdown is
// replaced within ttl + an interval and the backup starts at the shared deadline, once; a paused
// leader that lost the lease does not act when it resumes; with the database gone both keep checking,
// when_db_down holds, the history spool keeps every record and both recover.
#include "HaPair.h"

#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <sstream>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

using Steady = std::chrono::steady_clock;

// The daemon and the plugins it loads, built.
void requireBuilt() { REQUIRE_MESSAGE(std::ifstream(watchdogBinary()).good(), "build encoder-watchdog first: " << watchdogBinary()); }

// Starts a, waits until it leads, then starts b (so the leader is known).
void startPair(HaNode& a, HaNode& b) {
    a.start();
    REQUIRE_MESSAGE(waitUntil([&] { return a.leading(); }, 15s), a.log());
    b.start();
    REQUIRE_MESSAGE(waitUntil(
                        [&] {
                            auto s = b.status();
                            return s && s->getObject("ha") && s->getObject("ha")->getValue<std::string>("leader") == "a";
                        },
                        15s),
                    b.log());
}

// The incident of the first warning the node's notifier got ("" if none).
std::string warnedIncident(const HaNode& n) {
    std::istringstream lines(readFile(n.dir->file("notes.jsonl")));
    for (std::string line; std::getline(lines, line);) {
        try {
            auto o = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
            if (o->getValue<std::string>("type") == "warning") return o->getValue<std::string>("incident");
        } catch (const std::exception&) {
        }
    }
    return "";
}

double ms(Steady::duration d) { return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); }

}  // namespace

TEST_CASE("two daemons, one lease: a failure makes exactly one of them warn and exactly one StartInstances happen") {
    requireBuilt();
    HaPair pair("300ms");
    HaNode& a = pair.add("a", true);
    HaNode& b = pair.add("b", false);
    startPair(a, b);
    CHECK(a.notifiedCount("startup") + b.notifiedCount("startup") <= 1);

    pair.script("fail down");
    REQUIRE_MESSAGE(waitUntil([&] { return pair.ec2.succeeded("StartInstances") >= 1; }, 15s), a.log() << b.log());
    // The follower reaches its own deadline too and finds the remedy recorded.
    REQUIRE_MESSAGE(waitUntil([&] { return b.log().find("was not run again") != std::string::npos; }, 15s), b.log());
    CHECK(pair.ec2.count("StartInstances") == 1);
    CHECK(a.notifiedCount("warning") == 1);
    CHECK(b.notifiedCount("warning") == 0);
    CHECK(b.notified().empty());
    // One incident: the follower's remedy found the leader's run under the id the leader warned with.
    const std::string incident = warnedIncident(a);
    REQUIRE_FALSE(incident.empty());
    CHECK(b.log().find("backup was not run again for incident " + incident + ": run by node a") != std::string::npos);
    auto status = b.status();
    REQUIRE(status);
    auto ha = status->getObject("ha");
    CHECK(ha->getValue<std::string>("node") == "b");
    CHECK(ha->getValue<std::string>("leader") == "a");
    CHECK(ha->getValue<bool>("may_act") == false);
    CHECK(ha->getValue<std::string>("database") == "up");
    CHECK(ha->getValue<double>("lease_age_seconds") < 5.0);

    // A reload keeps the lease on the node (its next engine takes it straight back); a TERM gives it up.
    a.process->signal(SIGHUP);
    REQUIRE_MESSAGE(waitUntil([&] { return a.log().find("reloaded") != std::string::npos; }, 10s), a.log());
    REQUIRE(waitUntil([&] { return a.leading(); }, 5s));
    CHECK(b.log().find("holds the lease now") == std::string::npos);
    CHECK(a.process->stop() == 0);
    REQUIRE_MESSAGE(waitUntil([&] { return b.leading(); }, 5s), b.log());
    CHECK(b.process->stop() == 0);
}

TEST_CASE(
    "SIGKILL the leader during the countdown: the other takes over within ttl + an interval, keeps the deadline, starts the backup once") {
    requireBuilt();
    HaPair pair("3s");
    HaNode& a = pair.add("a", true);
    HaNode& b = pair.add("b", false);
    startPair(a, b);

    pair.script("fail down");
    REQUIRE_MESSAGE(waitUntil([&] { return a.notifiedCount("warning") == 1; }, 10s), a.log());
    const auto warned = Steady::now();
    // b's rule opened the incident too (joining the shared one before it logged its warning).
    REQUIRE_MESSAGE(waitUntil([&] { return b.log().find("[warning] failover") != std::string::npos; }, 5s), b.log());
    a.process->signal(SIGKILL);
    a.process->wait(5s);
    const auto killed = Steady::now();
    REQUIRE_MESSAGE(waitUntil([&] { return b.leading(); }, 10s), b.log());
    const auto tookOver = Steady::now();
    CHECK(ms(tookOver - killed) <= 1000 + 333 + 50 + 1000);  // ttl + a renewal + a check interval, and slack for a loaded machine
    REQUIRE_MESSAGE(waitUntil([&] { return pair.ec2.succeeded("StartInstances") >= 1; }, 15s), b.log());
    const auto started = Steady::now();
    // The deadline a set 3 s after it warned: the backup starts then (give or take an interval and the lease round), not 3 s after the takeover.
    MESSAGE("StartInstances " << ms(started - warned) << " ms after the warning; takeover " << ms(tookOver - killed)
                              << " ms after the kill");
    CHECK(ms(started - warned) >= 3000 - 500);
    CHECK(ms(started - warned) <= 3000 + 1500);
    REQUIRE(waitUntil([&] { return b.notifiedCount("outcome") >= 1; }, 10s));
    CHECK(pair.ec2.count("StartInstances") == 1);
    CHECK(b.notifiedCount("warning") == 0);  // a warned; b continues the same incident
    const std::string incident = warnedIncident(a);
    REQUIRE_FALSE(incident.empty());
    CHECK(readFile(b.dir->file("notes.jsonl")).find("\"incident\":\"" + incident + "\"") != std::string::npos);
    CHECK(b.process->stop() == 0);
}

TEST_CASE("SIGSTOP the leader past the ttl: the other acts; after SIGCONT the first notices it lost the lease and does not act") {
    requireBuilt();
    HaPair pair("2s");
    HaNode& a = pair.add("a", true);
    HaNode& b = pair.add("b", false);
    startPair(a, b);

    pair.script("fail down");
    REQUIRE_MESSAGE(waitUntil([&] { return a.notifiedCount("warning") == 1; }, 10s), a.log());
    a.process->signal(SIGSTOP);
    REQUIRE_MESSAGE(waitUntil([&] { return pair.ec2.succeeded("StartInstances") >= 1; }, 15s), b.log());
    REQUIRE(waitUntil([&] { return b.notifiedCount("outcome") >= 1; }, 10s));
    a.process->signal(SIGCONT);
    REQUIRE_MESSAGE(waitUntil([&] { return a.log().find("was not run again") != std::string::npos; }, 10s), a.log());
    CHECK(a.log().find("lost the lease to b") != std::string::npos);
    CHECK(pair.ec2.count("StartInstances") == 1);
    CHECK(a.notifiedCount("failover") == 0);
    CHECK(a.notifiedCount("outcome") == 0);
    auto status = a.status();
    REQUIRE(status);
    CHECK(status->getObject("ha")->getValue<std::string>("leader") == "b");
    CHECK(a.process->stop() == 0);
    CHECK(b.process->stop() == 0);
}

namespace {

// The ha object, or null.
Poco::JSON::Object::Ptr haOf(const HaNode& n) {
    auto s = n.status();
    return s ? s->getObject("ha") : nullptr;
}

std::string database(const HaNode& n) {
    auto ha = haOf(n);
    return ha ? ha->getValue<std::string>("database") : "";
}

// Results the node has had (passes, failures and errors of every check).
long long results(const HaNode& n) {
    auto s = n.status();
    if (!s) return -1;
    long long total = 0;
    auto checks = s->getArray("checks");
    for (std::size_t i = 0; i < checks->size(); ++i) {
        auto c = checks->getObject(i)->getObject("results");
        total += c->getValue<long long>("pass") + c->getValue<long long>("fail") + c->getValue<long long>("error");
    }
    return total;
}

long long spooled(const HaNode& n) {
    auto s = n.status();
    if (!s) return -1;
    auto sinks = s->getArray("sinks");
    return sinks->size() > 0 ? sinks->getObject(0)->getValue<long long>("spooled_records") : -1;
}

long long rows(const MariaDbServer& db, const std::string& table) {
    auto [rc, out] = db.trySql("SELECT COUNT(*) FROM " + table, db.database());
    return rc == 0 ? std::stoll(out) : -1;
}

}  // namespace

TEST_CASE("the database stops: both keep checking and spooling, when_db_down holds (the primary acts, the secondary waits), both recover") {
    requireBuilt();
    HaPair pair("300ms", "1s",
                "  - { plugin: mysql, host: 127.0.0.1, port: DBPORT, user: watchdog, password: wd-secret, database: watchdog,"
                " table: logs_NODE, records_table: records_NODE, connect_timeout: 1s }\n");
    HaNode& a = pair.add("a", true);
    HaNode& b = pair.add("b", false);
    startPair(a, b);

    pair.db.stop();
    REQUIRE_MESSAGE(waitUntil([&] { return database(a) == "down" && database(b) == "down"; }, 10s), a.log() << b.log());
    CHECK(waitUntil([&] { return a.log().find("THE LEASE DATABASE CANNOT BE REACHED") != std::string::npos; }, 5s));
    CHECK(waitUntil([&] { return b.log().find("when_db_down: wait") != std::string::npos; }, 5s));
    const long long aBefore = results(a), bBefore = results(b);
    REQUIRE(waitUntil([&] { return results(a) > aBefore + 10 && results(b) > bBefore + 10; }, 10s));
    REQUIRE(waitUntil([&] { return spooled(a) > 0 && spooled(b) > 0; }, 10s));

    pair.script("fail down");
    REQUIRE_MESSAGE(waitUntil([&] { return pair.ec2.succeeded("StartInstances") >= 1; }, 15s), a.log());
    // Its remedy is held at the gate: "waits: the lease database cannot be reached (when_db_down: wait)",
    // or, when its last word from the database was another holder, "waits: <who holds the lease>".
    REQUIRE_MESSAGE(waitUntil([&] { return b.log().find(" waits: ") != std::string::npos; }, 10s), b.log());
    CHECK(a.notifiedCount("warning") == 1);
    CHECK(b.notifiedCount("warning") == 0);
    CHECK(pair.ec2.count("StartInstances") == 1);
    CHECK(haOf(a)->getValue<bool>("may_act"));
    CHECK_FALSE(haOf(b)->getValue<bool>("may_act"));

    pair.db.start();
    REQUIRE_MESSAGE(waitUntil([&] { return database(a) == "up" && database(b) == "up"; }, 15s), a.log() << b.log());
    REQUIRE(waitUntil([&] { return spooled(a) == 0 && spooled(b) == 0; }, 20s));
    CHECK(a.log().find("reachable again") != std::string::npos);
    CHECK(pair.ec2.count("StartInstances") == 1);
    const long long aResults = results(a), bResults = results(b);
    CHECK(a.process->stop() == 0);
    CHECK(b.process->stop() == 0);
    // Every result the nodes had, outage included, is in the database (events are records too).
    CHECK(rows(pair.db, "records_a") >= aResults);
    CHECK(rows(pair.db, "records_b") >= bResults);
}
