// `history` leaves maintenance out of a check's uptime and says how much (issue 15).
#include "history/HistoryReport.h"
#include "history/MaintenancePeriods.h"

#include "SampleRecords.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

const TimePoint t0 = fromEpochMs(1795921200000);  // 2026-11-24T03:00:00Z

Record result(std::chrono::minutes at, const std::string& check, Status status) {
    Record r = sampleResult(1, check, status);
    r.time = t0 + at;
    return r;
}

Record maintenance(EventType type, std::chrono::minutes at, const std::string& scope, const std::string& id, std::chrono::minutes length) {
    Record r = sampleEvent(1, type);
    r.time = t0 + at;
    r.event.time = r.time;
    r.event.details = {{"scope", scope}, {"id", id}, {"by", "alice"}, {"reason", "new card"}};
    r.event.deadline.reset();
    r.event.duration.reset();
    if (type == EventType::MaintenanceStarted)
        r.event.deadline = r.time + length;
    else
        r.event.duration = length;
    return r;
}

// One result a minute for two hours: icecast fails during the hour it was in maintenance (60..119).
std::vector<Record> twoHours(const std::string& scope, const std::string& id) {
    std::vector<Record> records;
    records.push_back(maintenance(EventType::MaintenanceStarted, 60min, scope, id, 60min));
    for (int m = 0; m < 120; ++m) {
        const bool inside = m >= 60;
        records.push_back(result(std::chrono::minutes(m), "icecast", inside || m == 10 ? Status::Fail : Status::Pass));
        records.push_back(result(std::chrono::minutes(m), "ts_age", Status::Pass));
    }
    records.push_back(maintenance(EventType::MaintenanceEnded, 120min, scope, id, 60min));
    std::stable_sort(records.begin(), records.end(), [](const Record& a, const Record& b) { return a.time < b.time; });
    return records;
}

}  // namespace

TEST_CASE("a check's maintenance is left out of its uptime only, and the report says how long") {
    const auto tallies = tallyResults(twoHours("check", "icecast"), t0, t0 + 120min);
    REQUIRE(tallies.size() == 2);
    CHECK(tallies[0].checkId == "icecast");
    CHECK(tallies[0].leftOut == 60);
    CHECK(tallies[0].pass + tallies[0].fail == 60);
    CHECK(tallies[0].fail == 1);
    CHECK(tallies[0].maintenance == 60min);
    CHECK(tallyLine(tallies[0], 120min) == "icecast: 98.3 % passing (maintenance 1 h left out), 1 failure, 0 errors over 2 h");
    CHECK(tallies[1].leftOut == 0);
    CHECK(tallies[1].maintenance == 0ms);
    CHECK(tallyLine(tallies[1], 120min) == "ts_age: 100 % passing, 0 failures, 0 errors over 2 h");
}

TEST_CASE("a pipeline maintenance covers every check; a rule's does not take its checks out of uptime") {
    auto tallies = tallyResults(twoHours("pipeline", ""), t0, t0 + 120min);
    CHECK(tallies[0].maintenance == 60min);
    CHECK(tallies[1].maintenance == 60min);
    CHECK(tallies[0].leftOut == 60);
    tallies = tallyResults(twoHours("rule", "failover"), t0, t0 + 120min);
    CHECK(tallies[0].maintenance == 0ms);
    CHECK(tallies[0].fail == 61);
}

TEST_CASE("a window that began before the history did is found from its end; an open one lasts until its deadline or now") {
    std::vector<Record> records{maintenance(EventType::MaintenanceEnded, 30min, "check", "icecast", 90min)};
    auto periods = maintenancePeriods(records, t0 + 60min);
    REQUIRE(periods.size() == 1);
    CHECK(maintenanceTime(periods, "icecast", t0, t0 + 60min) == 30min);  // only the part inside the window

    records = {maintenance(EventType::MaintenanceStarted, 10min, "pipeline", "", 60min)};
    periods = maintenancePeriods(records, t0 + 40min);
    CHECK(maintenanceTime(periods, "ts_age", t0, t0 + 40min) == 30min);
    // Two windows that overlap count once.
    records.push_back(maintenance(EventType::MaintenanceStarted, 20min, "check", "ts_age", 60min));
    periods = maintenancePeriods(records, t0 + 120min);
    CHECK(maintenanceTime(periods, "ts_age", t0, t0 + 120min) == 70min);
}

TEST_CASE("history prints the left-out maintenance on the check's line and in JSON") {
    HistoryQuery query;
    query.since = t0;
    std::ostringstream text;
    printHistory(twoHours("check", "icecast"), query, false, text, t0 + 120min);
    CHECK(text.str().find("icecast: 98.3 % passing (maintenance 1 h left out), 1 failure, 0 errors over 2 h\n") != std::string::npos);
    std::ostringstream json;
    printHistory(twoHours("check", "icecast"), query, true, json, t0 + 120min);
    CHECK(json.str().find("\"maintenance_ms\": 3600000") != std::string::npos);
    CHECK(json.str().find("\"left_out\": 60") != std::string::npos);
}
