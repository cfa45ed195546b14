// The `ha:` settings and the lease against a real MariaDB: one holder, renewals, takeover after the
// ttl with the next fencing token, remedies recorded once under a current token (a stale token is
// fenced off), incidents shared between nodes, and the database going away and coming back.
#include "HaSettings.h"
#include "MysqlLease.h"
#include "config/ConfigNode.h"
#include "config/Pipeline.h"
#include "MysqlConnection.h"

#include "MariaDbServer.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::mysql;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

std::string configError(const std::string& yaml) {
    try {
        readHaSettings(Options(parseYaml(yaml, "pipeline.yaml"), "ha", "/tmp"));
    } catch (const ConfigErrors& e) {
        return e.what();
    }
    return "";
}

HaSettings settings(const MariaDbServer& db, const std::string& node, bool primary = false) {
    HaSettings s;
    s.ttl = 1s;
    s.node = node;
    s.primary = primary;
    s.actWhenDbDown = primary;
    s.database.host = db.host();
    s.database.port = static_cast<unsigned>(db.port());
    s.database.user = db.user();
    s.database.password = db.password();
    s.database.database = db.database();
    s.database.connectTimeout = 1s;
    s.database.ioTimeout = 2s;
    return s;
}

SharedIncident incident(const std::string& id, std::chrono::milliseconds ago, std::chrono::milliseconds wait) {
    const TimePoint opened = std::chrono::system_clock::now() - ago;
    return {id, opened, opened + wait};
}

}  // namespace

TEST_CASE("ha settings: the mysql sink's keys, ttl from 1s, when_db_down defaults by primary, errors at FILE:LINE:COL") {
    const std::string db = "user: w\ndatabase: wd\n";
    const auto read = [](const std::string& yaml) { return readHaSettings(Options(parseYaml(yaml, "pipeline.yaml"), "ha", "/tmp")); };
    const HaSettings secondary = read("lease: mysql\nnode: b\n" + db);
    CHECK(secondary.node == "b");
    CHECK(secondary.ttl == 15s);
    CHECK(secondary.database.connectTimeout == 5s);  // a third of the ttl, at most 5 s
    CHECK(secondary.database.ioTimeout == 5s);
    CHECK_FALSE(secondary.primary);
    CHECK_FALSE(secondary.actWhenDbDown);
    const HaSettings primary = read("node: a\nprimary: true\nttl: 1s\nport: 3307\npassword: x\n" + db);
    CHECK(primary.actWhenDbDown);
    CHECK(primary.ttl == 1s);
    CHECK(primary.database.port == 3307);
    CHECK(primary.database.ioTimeout == 1s);  // a third of 1 s, but at least 1 s
    CHECK(read("ttl: 6s\nio_timeout: 20s\n" + db).database.ioTimeout == 20s);
    CHECK_FALSE(read("node: a\nprimary: true\nwhen_db_down: wait\n" + db).actWhenDbDown);
    CHECK(configError("ttl: 500ms\n" + db).find("pipeline.yaml:1:6: ha.ttl: must be between 1s and 10m") != std::string::npos);
    CHECK(configError("lease: etcd\n" + db).find("pipeline.yaml:1:8: ha.lease") != std::string::npos);
    CHECK(configError("when_db_down: maybe\n" + db).find("ha.when_db_down") != std::string::npos);
    CHECK(configError("user: w\n").find("ha.database") != std::string::npos);
    CHECK(configError("tls: verify\n" + db).find("ha.tls_ca: tls: verify needs tls_ca") != std::string::npos);
    CHECK(configError("ttl: 2s\nnod: a\n" + db).find("pipeline.yaml:2:1: ha: unknown option 'nod' (did you mean 'node'?)") !=
          std::string::npos);
}

TEST_CASE("lease: one holder; the other takes over after the ttl with the next token; a remedy is recorded once") {
    MariaDbServer db;
    MysqlLease a(settings(db, "a", true), "station");
    MysqlLease b(settings(db, "b"), "station");
    a.start();
    b.start();
    CHECK(a.mayAct());
    CHECK_FALSE(b.mayAct());
    CHECK(b.status().leader == "a");
    CHECK(b.status().token == 1);
    CHECK(b.status().databaseUp);

    CHECK(a.claim("inc-1", "backup").result == RemedyClaimResult::Run);
    const RemedyClaim again = b.claim("inc-1", "backup");
    CHECK(again.result == RemedyClaimResult::AlreadyDone);
    CHECK(again.summary == "run by node a (token 1)");
    CHECK(a.claim("inc-1", "backup").result == RemedyClaimResult::AlreadyDone);
    CHECK(b.claim("inc-2", "backup").result == RemedyClaimResult::NotLeader);

    a.abandon();  // frozen: no more renewals
    REQUIRE(waitUntil([&] { return b.mayAct(); }, 5s));
    CHECK(b.status().token == 2);
    CHECK_FALSE(a.mayAct());  // its own clock says the lease ran out
    CHECK(a.claim("inc-2", "backup").result == RemedyClaimResult::NotLeader);
    CHECK(b.claim("inc-2", "backup").result == RemedyClaimResult::Run);
    a.renewOnce();
    CHECK(a.status().leader == "b");
    CHECK_FALSE(a.mayAct());
    b.stop(true);
}

TEST_CASE(
    "lease: a remedy claimed by a node that lost the lease before reporting is run again once by the next holder; a reported one never") {
    MariaDbServer db;
    MysqlLease a(settings(db, "a", true), "station");
    MysqlLease b(settings(db, "b"), "station");
    a.start();
    b.start();
    REQUIRE(a.claim("inc-1", "backup").result == RemedyClaimResult::Run);
    REQUIRE(a.claim("inc-1", "notes").result == RemedyClaimResult::Run);
    a.reported("inc-1", "notes");
    a.abandon();  // died while running backup
    REQUIRE(waitUntil([&] { return b.mayAct(); }, 5s));
    const RemedyClaim again = b.claim("inc-1", "backup");
    CHECK(again.result == RemedyClaimResult::Run);
    CHECK(again.summary == "taken over from node a");
    CHECK(b.claim("inc-1", "backup").result == RemedyClaimResult::AlreadyDone);  // once
    CHECK(b.claim("inc-1", "notes").result == RemedyClaimResult::AlreadyDone);   // it reported
    b.abandon();
}

TEST_CASE("lease: a holder whose token is no longer current is fenced off even before its own clock says so") {
    MariaDbServer db;
    MysqlLease a(settings(db, "a"), "station");
    a.start();
    REQUIRE(a.mayAct());
    MysqlConnection sql(settings(db, "x").database);
    sql.execute("UPDATE watchdog_ha_lease SET holder = 'b', token = token + 1 WHERE name = 'station'");
    CHECK(a.claim("inc-1", "backup").result == RemedyClaimResult::NotLeader);
    CHECK_FALSE(a.mayAct());
    CHECK(sql.select("SELECT COUNT(*) FROM watchdog_ha_actions")[0][0] == std::optional<std::string>("0"));
    a.abandon();
}

TEST_CASE("lease: given up on stop, so the other node takes it at its next round") {
    MariaDbServer db;
    MysqlLease a(settings(db, "a"), "station");
    MysqlLease b(settings(db, "b"), "station");
    a.start();
    b.start();
    REQUIRE(a.mayAct());
    a.stop(true);
    b.renewOnce();
    CHECK(b.mayAct());
    b.abandon();
}

TEST_CASE("incidents: the first node's incident is shared (id, start, deadline); a closed or stale one is not joined") {
    MariaDbServer db;
    MysqlLease a(settings(db, "a"), "station");
    MysqlLease b(settings(db, "b"), "station");
    a.start();
    b.start();
    const SharedIncident first = incident("a-1", 0ms, 5min);
    CHECK(a.joinIncident("failover", first)->incident == "a-1");
    const auto joined = b.joinIncident("failover", incident("b-1", -200ms, 5min));
    REQUIRE(joined);
    CHECK(joined->incident == "a-1");
    CHECK(toEpochMs(joined->deadline) == toEpochMs(first.deadline));
    CHECK(b.joinIncident("other_rule", incident("b-2", 0ms, 5min))->incident == "b-2");
    a.closeIncident("failover", "a-1");
    CHECK(b.joinIncident("failover", incident("b-3", 0ms, 5min))->incident == "b-3");
    // b-3 left open as if every node stopped; an incident an hour later is a new outage.
    CHECK(a.joinIncident("failover", incident("a-4", -1h, 5min))->incident == "a-4");
    a.abandon();
    b.abandon();
}

TEST_CASE("database down: when_db_down act (primary) acts, wait (secondary) does not; both notice when it returns") {
    MariaDbServer db;
    MysqlLease a(settings(db, "a", true), "station");
    MysqlLease b(settings(db, "b"), "station");
    a.start();
    b.start();
    db.stop();
    a.renewOnce();
    b.renewOnce();
    CHECK_FALSE(b.status().databaseUp);
    CHECK_FALSE(b.status().error.empty());
    CHECK_FALSE(b.mayAct());
    CHECK(a.mayAct());
    CHECK(a.claim("inc-1", "backup").result == RemedyClaimResult::Unavailable);
    CHECK_FALSE(b.joinIncident("failover", incident("b-1", 0ms, 1min)));
    db.start();
    a.renewOnce();
    b.renewOnce();
    CHECK(b.status().databaseUp);
    CHECK(a.status().databaseUp);
    CHECK(a.mayAct() != b.mayAct());
    a.abandon();
    b.abandon();
}
