// GET /timeline's content without a server: incidents grouped from recorded events, their outcome
// and duration, who acknowledged them, and uptime per check with maintenance left out.
#include "http/IncidentTimeline.h"

#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

using namespace watchdog;
using namespace std::chrono_literals;

namespace {

Record result(TimePoint t, const std::string& check, bool pass) {
    Record r;
    r.time = t;
    r.checkId = check;
    r.checkLabel = check;
    r.result = pass ? Result::pass("ok") : Result::fail("down");
    return r;
}

Record event(TimePoint t, EventType type, const std::string& incident = "", Details details = {}) {
    Record r;
    r.kind = RecordKind::Event;
    r.time = t;
    r.event.type = type;
    r.event.time = t;
    r.event.rule = "failover";
    r.event.incident = incident;
    r.event.details = std::move(details);
    return r;
}

}  // namespace

TEST_CASE("uptime leaves out the results taken while the pipeline was in maintenance, and says how long that was") {
    const TimePoint now = std::chrono::system_clock::now();
    std::vector<Record> records;
    for (int minute = 60; minute >= 1; --minute)
        records.push_back(result(now - std::chrono::minutes(minute), "icecast", minute > 40 || minute < 20));
    CHECK(uptimeOf("icecast", "Icecast", records, now).day.fail == 21);  // minutes 40..20
    const Details pipeline{{"scope", "pipeline"}, {"id", ""}, {"by", "alice"}, {"reason", "encoder work"}};
    Record started = event(now - 41min, EventType::MaintenanceStarted, "", pipeline);
    started.event.deadline = now + 1h;
    Record ended = event(now - 19min, EventType::MaintenanceEnded, "", pipeline);
    ended.event.duration = 22min;
    records.push_back(started);
    records.push_back(ended);
    const CheckUptime u = uptimeOf("icecast", "Icecast", records, now);
    CHECK(u.day.fail == 0);
    CHECK(u.day.pass == 37);  // 39 passes, 2 of them (minutes 41 and 19) in maintenance
    CHECK(u.week.pass == 37);
    CHECK(u.maintenanceDay == 22min);
    CHECK(u.maintenanceWeek == 22min);
}

TEST_CASE("incidents are grouped by id, newest first, with outcome, duration and who acknowledged") {
    const TimePoint now = std::chrono::system_clock::now();
    StatusSnapshot snapshot;
    snapshot.now = now;
    RuleStatus open;
    open.id = "failover";
    open.incident = "failover-2";
    snapshot.rules.push_back(open);
    const std::vector<Record> events{
        event(now - 3h, EventType::Warning, "failover-1"),
        event(now - 3h + 2min, EventType::Cancelled, "failover-1"),
        event(now - 10min, EventType::Warning, "failover-2"),
        event(now - 9min, EventType::Acknowledged, "failover-2", {{"by", "alice"}, {"reason", "on it"}}),
        event(now - 8h * 24, EventType::Warning, "failover-0"),  // older than the week: left out
    };
    auto root = Poco::JSON::Parser().parse(renderTimelineJson(events, {}, snapshot)).extract<Poco::JSON::Object::Ptr>();
    auto incidents = root->getArray("incidents");
    REQUIRE(incidents->size() == 2);
    auto newest = incidents->getObject(0);
    CHECK(newest->getValue<std::string>("incident") == "failover-2");
    CHECK(newest->getValue<bool>("open"));
    CHECK(newest->getValue<std::string>("outcome") == "open");
    CHECK(newest->getValue<long>("duration_seconds") >= 600);
    CHECK(newest->getObject("acknowledged")->getValue<std::string>("by") == "alice");
    CHECK(newest->getObject("acknowledged")->getValue<std::string>("reason") == "on it");
    auto older = incidents->getObject(1);
    CHECK_FALSE(older->getValue<bool>("open"));
    CHECK(older->getValue<std::string>("outcome") == "cancelled");
    CHECK(older->getValue<long>("duration_seconds") == 120);
    CHECK(older->isNull("acknowledged"));
}
