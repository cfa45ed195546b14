#include "JsonlSink.h"

#include <watchdog/testing/PluginTestKit.h>
#include "history/RecordJson.h"

#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <numeric>
#include <sstream>

using namespace watchdog;
using namespace watchdog::jsonl;
using namespace watchdog::test;
using namespace watchdog::testing;

namespace {

std::unique_ptr<JsonlSink> makeSink(const TempDir& dir, const std::string& extra = "") {
    return configure<JsonlSink>("path: history.jsonl\n" + extra, "sinks[0]", dir.path());
}

std::vector<std::uint64_t> sequencesIn(const std::string& path) {
    std::vector<std::uint64_t> out;
    for (const auto& line : linesOf(readFile(path))) out.push_back(recordFromJsonLine(line).sequence);
    return out;
}

std::vector<std::uint64_t> seqRange(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> out(last - first + 1);
    std::iota(out.begin(), out.end(), first);
    return out;
}

}  // namespace

TEST_CASE("jsonl sink: one JSON object per line with the documented field names") {
    TempDir dir;
    auto sink = makeSink(dir);
    sink->open();
    sink->write({sampleResult(1), sampleEvent(2)});
    sink->close();
    const auto lines = linesOf(readFile(dir.file("history.jsonl")));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == R"({"kind":"result","seq":1,"time":"2026-11-24T03:00:01.000Z","pipeline":"station-eu","check":"icecast",)"
                      R"("label":"Icecast Sources","status":"pass","summary":"1 source connected","value":1,"unit":"sources",)"
                      R"("details":{"mount":"/live","listeners":"12"},"duration_ms":35})");
    // The README shows this line as the example event.
    CHECK(lines[1] == R"({"kind":"event","seq":2,"time":"2026-11-24T03:00:02.000Z","pipeline":"station-eu","check":"","label":"",)"
                      R"("event":{"type":"warning","rule":"failover","incident":"inc-42","summary":"2 of 4 checks failing; starting )"
                      R"(the backup in 5m","failing":["icecast","ts_age"],"deadline":"2026-11-24T03:05:02.000Z","action":"","ok":true,)"
                      R"("details":{"instance":"i-0abc"}}})");
    Poco::JSON::Parser parser;
    auto event = parser.parse(lines[1]).extract<Poco::JSON::Object::Ptr>();
    CHECK(event->getValue<std::string>("kind") == "event");
    auto body = event->getObject("event");
    REQUIRE(body);
    CHECK(body->getValue<std::string>("type") == "warning");
    CHECK(body->getValue<std::string>("rule") == "failover");
    CHECK(body->getValue<std::string>("deadline") == "2026-11-24T03:05:02.000Z");
    CHECK(body->getArray("failing")->size() == 2);
}

TEST_CASE("jsonl sink: replayed records are not written twice, also after a reopen") {
    TempDir dir;
    {
        auto sink = makeSink(dir);
        sink->write(sampleResults(1, 10));
        sink->write(sampleResults(5, 15));
        sink->close();
    }
    auto sink = makeSink(dir, "fsync: false\n");
    sink->open();
    sink->write(sampleResults(10, 20));
    CHECK(sequencesIn(dir.file("history.jsonl")) == seqRange(1, 20));
}

TEST_CASE("jsonl sink: a torn last line from a crash is cut off when the file is opened") {
    TempDir dir;
    {
        auto sink = makeSink(dir);
        sink->write(sampleResults(1, 3));
    }
    {
        std::ofstream f(dir.file("history.jsonl"), std::ios::app);
        f << R"({"kind":"result","seq":4,"ti)";
    }
    auto sink = makeSink(dir);
    sink->write(sampleResults(4, 5));
    CHECK(sequencesIn(dir.file("history.jsonl")) == seqRange(1, 5));
}

TEST_CASE("jsonl sink: rotates by size, keeping the configured number of old files, in order") {
    TempDir dir;
    auto sink = makeSink(dir, "max_size: 4K\nkeep: 2\n");
    for (std::uint64_t s = 1; s <= 200; s += 5) sink->write(sampleResults(s, s + 4));
    sink->close();
    const std::string path = dir.file("history.jsonl");
    CHECK(Poco::File(path + ".1").exists());
    CHECK(Poco::File(path + ".2").exists());
    CHECK_FALSE(Poco::File(path + ".3").exists());
    for (const auto& p : {path, path + ".1", path + ".2"}) CHECK(Poco::File(p).getSize() <= 4096);
    std::vector<std::uint64_t> all;
    for (const auto& p : {path + ".2", path + ".1", path})
        for (auto s : sequencesIn(p)) all.push_back(s);
    REQUIRE(!all.empty());
    CHECK(all.back() == 200);
    CHECK(all == seqRange(all.front(), 200));
}

TEST_CASE("jsonl sink: a file that cannot be opened is an error naming it") {
    TempDir dir;
    dir.write("blocker", "x");
    JsonlSink sink;
    sink.configure(optionsFromYaml("path: blocker/history.jsonl\n", "sinks[0]", dir.path()));
    CHECK_THROWS_WITH_AS(sink.write(sampleResults(1, 1)), doctest::Contains(dir.file("blocker").c_str()), std::runtime_error);
}

TEST_CASE("jsonl sink: bad options are config errors at the key") {
    TempDir dir;
    CHECK_THROWS_WITH_AS(makeSink(dir, "max_size: 100\n"), doctest::Contains("sinks[0].max_size: must be at least 4K"), ConfigError);
    CHECK_THROWS_WITH_AS(makeSink(dir, "keep: 0\n"), doctest::Contains("sinks[0].keep"), ConfigError);
    CHECK_THROWS_WITH_AS(makeSink(dir, "fsync: sometimes\n"), doctest::Contains("sinks[0].fsync"), ConfigError);
}
