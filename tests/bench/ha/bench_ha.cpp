// HA costs, printed: (1) a lease renewal (one SELECT ... FOR UPDATE transaction) against a plain
// SELECT 1 round trip on the same MariaDB, measured in the same run; (2) failover time: the leader is
// SIGKILLed as the station fails (wait: 0s), until the other node's StartInstances reaches the EC2
// endpoint, beside the same failure handled by a single node without ha:.
//   build/bench/bench_ha [renewals=300] [rounds=3]
#include "HaPair.h"
#include "MysqlLease.h"
#include "MysqlConnection.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>

using namespace watchdog;
using namespace watchdog::mysql;
using namespace watchdog::test;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

namespace {

double msSince(Steady::time_point t) { return std::chrono::duration<double, std::milli>(Steady::now() - t).count(); }

HaSettings settingsFor(const MariaDbServer& db, const std::string& node) {
    HaSettings s;
    s.ttl = 1s;
    s.node = node;
    s.database.host = db.host();
    s.database.port = static_cast<unsigned>(db.port());
    s.database.user = db.user();
    s.database.password = db.password();
    s.database.database = db.database();
    return s;
}

// Kill -> StartInstances with two nodes, or fail -> StartInstances with one (`pair` false).
double failoverMs(bool pair) {
    HaPair ha("0s");
    HaNode& a = ha.add("a", true);
    a.start();
    if (!waitUntil([&] { return a.leading(); }, 15s)) throw std::runtime_error("a never led: " + a.log());
    if (!pair) {
        const auto began = Steady::now();
        ha.script("fail down");
        if (!waitUntil([&] { return ha.ec2.count("StartInstances") >= 1; }, 20s, 1ms)) throw std::runtime_error("no start");
        const double took = msSince(began);
        a.process->stop();
        return took;
    }
    HaNode& b = ha.add("b", false);
    b.start();
    if (!waitUntil(
            [&] {
                auto s = b.status();
                return s && s->getObject("ha")->getValue<std::string>("leader") == "a";
            },
            15s))
        throw std::runtime_error("b never saw a");
    const auto began = Steady::now();
    a.process->signal(SIGKILL);
    ha.script("fail down");
    if (!waitUntil([&] { return ha.ec2.count("StartInstances") >= 1; }, 20s, 1ms)) throw std::runtime_error("no start: " + b.log());
    const double took = msSince(began);
    b.process->stop();
    return took;
}

}  // namespace

int main(int argc, char** argv) {
    const int renewals = argc > 1 ? std::atoi(argv[1]) : 300;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
    {
        MariaDbServer db;
        MysqlLease lease(settingsFor(db, "a"), "bench");
        lease.renewOnce();
        auto began = Steady::now();
        for (int i = 0; i < renewals; ++i) lease.renewOnce();
        const double renew = msSince(began) / renewals;
        MysqlConnection plain(settingsFor(db, "x").database);
        began = Steady::now();
        for (int i = 0; i < renewals; ++i) plain.select("SELECT 1");
        const double select1 = msSince(began) / renewals;
        std::printf("lease renewal: %.3f ms (%d renewals); SELECT 1 round trip: %.3f ms; ratio %.1fx\n", renew, renewals, select1,
                    renew / select1);
        std::printf("a renewal is a transaction with a commit (the log flush dominates); at ttl 15s a node renews every 5 s\n");
    }
    double single = 0, pairTotal = 0;
    for (int i = 0; i < rounds; ++i) {
        const double one = failoverMs(false);
        const double two = failoverMs(true);
        std::printf("round %d: one node, failure -> StartInstances %.0f ms; two nodes, leader killed -> StartInstances %.0f ms\n", i + 1,
                    one, two);
        single += one;
        pairTotal += two;
    }
    std::printf(
        "failover (ttl 1s, renewal every 333 ms, checks every 50 ms): leader killed -> StartInstances %.0f ms on average; "
        "a single node's failure -> StartInstances %.0f ms; the takeover adds %.0f ms (bound: ttl + a renewal = 1333 ms)\n",
        pairTotal / rounds, single / rounds, (pairTotal - single) / rounds);
    return 0;
}
