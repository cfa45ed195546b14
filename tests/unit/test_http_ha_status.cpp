// /status and /metrics with `ha:`: the node, the leader, the lease's token and age, the database.
#include "http/PrometheusText.h"
#include "http/StatusJson.h"

#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

using namespace watchdog;
using namespace std::chrono_literals;

namespace {

StatusSnapshot withHa(bool leading, bool databaseUp) {
    StatusSnapshot s;
    s.pipeline = "station";
    HaStatus ha;
    ha.node = "b";
    ha.leader = leading ? "b" : "a";
    ha.leading = leading;
    ha.mayAct = leading;
    ha.token = 7;
    ha.leaseAge = 1500ms;
    ha.ttl = 15s;
    ha.databaseUp = databaseUp;
    ha.whenDbDown = "wait";
    ha.error = databaseUp ? "" : "Can't connect to server on '127.0.0.1'";
    s.ha = ha;
    return s;
}

}  // namespace

TEST_CASE("/status carries ha: node, leader, lease token and age, the database and the policy") {
    auto o = Poco::JSON::Parser().parse(renderStatusJson(withHa(false, false))).extract<Poco::JSON::Object::Ptr>()->getObject("ha");
    REQUIRE(o);
    CHECK(o->getValue<std::string>("node") == "b");
    CHECK(o->getValue<std::string>("leader") == "a");
    CHECK_FALSE(o->getValue<bool>("leading"));
    CHECK_FALSE(o->getValue<bool>("may_act"));
    CHECK(o->getValue<int>("token") == 7);
    CHECK(o->getValue<double>("lease_age_seconds") == doctest::Approx(1.5));
    CHECK(o->getValue<double>("ttl_seconds") == doctest::Approx(15.0));
    CHECK(o->getValue<std::string>("database") == "down");
    CHECK(o->getValue<std::string>("when_db_down") == "wait");
    CHECK(o->getValue<std::string>("error").find("Can't connect") != std::string::npos);
}

TEST_CASE("/status without ha: has no ha object") {
    StatusSnapshot s;
    s.pipeline = "station";
    CHECK_FALSE(Poco::JSON::Parser().parse(renderStatusJson(s)).extract<Poco::JSON::Object::Ptr>()->has("ha"));
    CHECK(renderPrometheusText(s, {}).find("watchdog_ha_") == std::string::npos);
}

TEST_CASE("/metrics: watchdog_ha_leader, may_act, token, lease age and database_up per node") {
    const std::string text = renderPrometheusText(withHa(true, true), {});
    CHECK(text.find("# TYPE watchdog_ha_leader gauge") != std::string::npos);
    CHECK(text.find("watchdog_ha_leader{node=\"b\",leader=\"b\"} 1") != std::string::npos);
    CHECK(text.find("watchdog_ha_may_act{node=\"b\",leader=\"b\"} 1") != std::string::npos);
    CHECK(text.find("watchdog_ha_lease_token{node=\"b\",leader=\"b\"} 7") != std::string::npos);
    CHECK(text.find("watchdog_ha_lease_age_seconds{node=\"b\",leader=\"b\"} 1.5") != std::string::npos);
    CHECK(text.find("watchdog_ha_database_up{node=\"b\",leader=\"b\"} 1") != std::string::npos);
}
