#include "history/HistoryReport.h"
#include "history/RecordJson.h"

#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>

#include <sstream>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

TEST_CASE("record JSON: results and events survive a round trip field for field") {
    Record result = sampleResult(7, "ts_age", Status::Error);
    result.result.value.reset();
    const Record back = recordFromJsonLine(recordToJsonLine(result));
    CHECK(back.kind == RecordKind::Result);
    CHECK(back.sequence == 7);
    CHECK(back.time == result.time);
    CHECK(back.pipeline == "station-eu");
    CHECK(back.checkId == "ts_age");
    CHECK(back.checkLabel == "HLS Old Files");
    CHECK(toString(back.result.status) == std::string("error"));
    CHECK_FALSE(back.result.value.has_value());
    CHECK(back.result.details == result.result.details);
    CHECK(back.duration == 35ms);

    Record event = sampleEvent(8, EventType::Recovered);
    event.event.duration = 90s;
    event.event.deadline.reset();
    const Record e = recordFromJsonLine(recordToJsonLine(event));
    CHECK(e.kind == RecordKind::Event);
    CHECK(toString(e.event.type) == std::string("recovered"));
    CHECK(e.event.incident == "inc-42");
    CHECK(e.event.failing == event.event.failing);
    CHECK(e.event.duration == 90s);
    CHECK_FALSE(e.event.deadline.has_value());
    CHECK(e.event.details == Details{{"instance", "i-0abc"}});
    CHECK(e.event.time == event.time);
}

TEST_CASE("record JSON: bad input names the field") {
    CHECK_THROWS_WITH_AS(recordFromJsonLine("{\"kind\":\"result\",\"seq\":1"), doctest::Contains("bad JSON"), std::runtime_error);
    CHECK_THROWS_WITH_AS(recordFromJsonLine(R"({"kind":"alert","seq":1})"), doctest::Contains("'kind'"), std::runtime_error);
    CHECK_THROWS_WITH_AS(recordFromJsonLine(R"({"kind":"result","seq":1,"time":"yesterday","status":"pass"})"),
                         doctest::Contains("record field 'time': not an ISO 8601 UTC time: 'yesterday'"), std::runtime_error);
    CHECK_THROWS_WITH_AS(recordFromJsonLine(R"({"kind":"result","seq":1,"time":"2026-11-24T03:00:00Z","status":"ok"})"),
                         doctest::Contains("record field 'status'"), std::runtime_error);
}

TEST_CASE("ISO 8601 times parse with and without milliseconds, and reject the rest") {
    CHECK(parseIso8601("2026-11-24T03:00:00.123Z") == fromEpochMs(1795489200123LL));
    CHECK(parseIso8601("2026-11-24T03:00:00Z") == fromEpochMs(1795489200000LL));
    CHECK(parseIso8601("2026-11-24T03:00:00.5Z") == fromEpochMs(1795489200500LL));
    CHECK_FALSE(parseIso8601("2026-11-24 03:00:00").has_value());
    CHECK_FALSE(parseIso8601("2026-11-24T03:00:00+01:00").has_value());
    CHECK_FALSE(parseIso8601("").has_value());
}

TEST_CASE("history report: an aligned table, then one uptime line per check over the window") {
    std::vector<Record> records;
    for (std::uint64_t s = 1; s <= 10; ++s) records.push_back(sampleResult(s, "icecast", s == 4 ? Status::Fail : Status::Pass));
    records.push_back(sampleEvent(11));
    records.push_back(sampleResult(12, "ts_age", Status::Error));
    records.back().result.summary = "timed out after 10 s";
    HistoryQuery query;
    const TimePoint now = records.back().time + 3s;
    query.since = now - 1h;
    std::ostringstream out;
    printHistory(records, query, false, out, now);
    const auto lines = linesOf(out.str());
    REQUIRE(lines.size() == 1 + 12 + 1 + 2);
    CHECK(lines[0].rfind("TIME", 0) == 0);
    const auto statusColumn = lines[0].find("STATUS");
    const auto valueColumn = lines[0].find("VALUE");
    const auto summaryColumn = lines[0].find("SUMMARY");
    CHECK(lines[4].substr(statusColumn, 4) == "fail");
    CHECK(lines[4].substr(summaryColumn) == "no source connected");
    CHECK(lines[1].find("Icecast Sources") != std::string::npos);
    CHECK(lines[1].substr(valueColumn, summaryColumn - valueColumn) == "1 source   ");
    CHECK(lines[4].substr(valueColumn, summaryColumn - valueColumn) == "0 sources  ");
    CHECK(lines[11].find("event warning (failover)") != std::string::npos);
    CHECK(lines[11].substr(summaryColumn) == "2 of 4 checks failing; starting the backup in 5m [failing: icecast, ts_age]");
    CHECK(lines[12].substr(statusColumn, 5) == "error");
    CHECK(lines[12].substr(summaryColumn) == "timed out after 10 s");
    CHECK(lines[13].empty());
    CHECK(lines[14] == "icecast: 90 % passing, 1 failure, 0 errors over 1 h");
    CHECK(lines[15] == "ts_age: 0 % passing, 0 failures, 1 error over 1 h");
}

TEST_CASE("history report: values and tallies are rounded for people") {
    std::vector<Record> records;
    for (std::uint64_t s = 1; s <= 3; ++s) records.push_back(sampleResult(s, "cpu", s == 1 ? Status::Fail : Status::Pass));
    records[1].result.value = 2.22059;
    records[1].result.unit = "%";
    records[2].result.value = 9.442;
    records[2].result.unit = "s";
    std::ostringstream out;
    printHistory(records, HistoryQuery{}, false, out, records.back().time);
    const auto lines = linesOf(out.str());
    REQUIRE(lines.size() == 1 + 3 + 1 + 1);
    const auto valueColumn = lines[0].find("VALUE");
    CHECK(lines[2].substr(valueColumn, 6) == "2.2 % ");
    CHECK(lines[3].substr(valueColumn, 6) == "9.4 s ");
    CHECK(lines[5] == "cpu: 66.7 % passing, 1 failure, 0 errors over 2 s");
}

TEST_CASE("history report: a dry-run remedy shows what it would have done, never ok") {
    Record outcome = sampleEvent(1, EventType::Outcome);
    outcome.event.action = "backup";
    outcome.event.ok = true;
    outcome.event.summary = "would start i-0123456789abcdef0 (dry run): it is stopped and StartInstances would be allowed";
    outcome.event.details = {{"instance_id", "i-0123456789abcdef0"}, {"dry_run", "allowed"}};
    outcome.event.duration = 9442ms;
    outcome.event.failing.clear();
    std::ostringstream out;
    printHistory({outcome}, HistoryQuery{}, false, out, outcome.time);
    const auto lines = linesOf(out.str());
    REQUIRE(lines.size() == 2);
    const auto statusColumn = lines[0].find("STATUS");
    const auto valueColumn = lines[0].find("VALUE");
    const auto summaryColumn = lines[0].find("SUMMARY");
    CHECK(lines[1].find("event outcome (failover) backup") != std::string::npos);
    CHECK(lines[1].substr(statusColumn, valueColumn - statusColumn) == "dry run  ");
    CHECK(lines[1].substr(valueColumn, summaryColumn - valueColumn) == "9.4 s  ");
    CHECK(lines[1].substr(summaryColumn) == outcome.event.summary);

    outcome.event.details = {{"dry_run", "yes"}};
    outcome.event.ok = false;
    out.str("");
    printHistory({outcome}, HistoryQuery{}, false, out, outcome.time);
    CHECK(linesOf(out.str())[1].find("dry run failed") != std::string::npos);
}

TEST_CASE("history report: without --since the window is the span of the records") {
    std::vector<Record> records = sampleResults(1, 121);  // two minutes of results
    std::ostringstream out;
    printHistory(records, HistoryQuery{}, false, out, records.back().time);
    CHECK(out.str().find("icecast: 100 % passing, 0 failures, 0 errors over 2 min\n") != std::string::npos);
}

TEST_CASE("history report: nothing found says so") {
    std::ostringstream out;
    HistoryQuery query;
    query.checkId = "icecast";
    printHistory({}, query, false, out);
    CHECK(out.str() == "no history for check icecast\n");
}

TEST_CASE("history report: --json gives the records and the per-check tallies") {
    std::vector<Record> records = {sampleResult(1), sampleResult(2, "icecast", Status::Fail), sampleEvent(3)};
    HistoryQuery query;
    const TimePoint now = records.back().time;
    query.since = now - 15min;
    std::ostringstream out;
    printHistory(records, query, true, out, now);
    Poco::JSON::Parser parser;
    auto root = parser.parse(out.str()).extract<Poco::JSON::Object::Ptr>();
    CHECK(root->getValue<std::string>("since") == toIso8601(query.since));
    CHECK(root->getValue<long long>("window_ms") == 15 * 60 * 1000);
    auto list = root->getArray("records");
    REQUIRE(list->size() == 3);
    CHECK(list->getObject(1)->getValue<std::string>("status") == "fail");
    CHECK(list->getObject(2)->getObject("event")->getValue<std::string>("type") == "warning");
    auto checks = root->getArray("checks");
    REQUIRE(checks->size() == 1);
    auto icecast = checks->getObject(0);
    CHECK(icecast->getValue<std::string>("check") == "icecast");
    CHECK(icecast->getValue<int>("results") == 2);
    CHECK(icecast->getValue<int>("fail") == 1);
    CHECK(icecast->getValue<double>("passing_percent") == doctest::Approx(50.0));
}

TEST_CASE("record JSON: the fast line writer gives exactly Poco's condensed text") {
    std::vector<Record> records = {sampleResult(1), sampleEvent(2), sampleResult(3, "ts_age", Status::Error)};
    records[0].result.value = 98.25;
    records[0].result.summary = "quote \" backslash \\ tab \t newline \n bell \x07 caf\xc3\xa9 / slash";
    records[0].result.details.emplace_back("path", "C:\\hls\\live.m3u8");
    records[1].event.duration = std::chrono::milliseconds(1234);
    records[1].event.ok = false;
    records[2].result.value = 0.1;
    Record checkError = sampleEvent(4, EventType::CheckError);
    checkError.event.checkId = "icecast";
    checkError.event.deadline.reset();
    checkError.event.failing.clear();
    records.push_back(checkError);
    for (double v : {1e20, -3.5, 123456789.0, 1.0 / 3.0}) {
        Record r = sampleResult(5);
        r.result.value = v;
        records.push_back(r);
    }
    for (const auto& r : records) {
        std::ostringstream poco;
        Poco::JSON::Stringifier::condense(recordToJson(r), poco);
        CHECK(recordToJsonLine(r) == poco.str());
        const Record back = recordFromJsonLine(recordToJsonLine(r));
        CHECK(back.result.summary == r.result.summary);
        CHECK(back.result.value == r.result.value);
    }
    Record nan = sampleResult(6);
    nan.result.value = std::nan("");
    CHECK(recordToJsonLine(nan).find("\"value\":null") != std::string::npos);
}
