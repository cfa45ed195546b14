// The demo's question, through the real daemon and its SQLite history: after a failover and its
// recovery, GET /timeline (what the status page's timeline and uptime show) holds the incident with
// its events in order, closed, and the failing check's uptime below 100 %.
#include "DaemonFixture.h"
#include "DaemonPipeline.h"

#include <doctest/doctest.h>

#include <Poco/JSON/Parser.h>

#include <csignal>

using namespace watchdog::test;
using namespace std::chrono_literals;

TEST_CASE("after a failover and its recovery, /timeline shows the closed incident with its events and the uptime") {
    DaemonFixture f;
    f.script({{"encoder", "pass"}, {"segments", "pass"}});
    const int port = freeLoopbackPort();
    const std::string file = f.writePipeline(DaemonPipeline::failover(port).sink("{ plugin: sqlite, path: history.db }").text());
    ChildProcess daemon(f.command("run", {file}));
    INFO(daemon.output());
    f.script({{"encoder", "fail 0 sources"}, {"segments", "fail old"}});
    REQUIRE(f.waitForEvent("notes.jsonl", "outcome"));
    f.script({{"encoder", "pass"}, {"segments", "pass"}});
    REQUIRE(f.waitForEvent("notes.jsonl", "recovered"));

    Poco::JSON::Object::Ptr incident;
    std::string body;
    // Records reach SQLite through the sink's queue: wait until the recovery is there.
    REQUIRE(waitUntil(
        [&] {
            body = runCommand({"curl", "-s", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port) + "/timeline"}, 10s).second;
            if (body.find("\"type\":\"recovered\"") == std::string::npos) return false;
            incident = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>()->getArray("incidents")->getObject(0);
            return !incident->getValue<bool>("open");
        },
        10s, 100ms));
    INFO(body);
    CHECK(incident->getValue<std::string>("rule") == "failover");
    CHECK(incident->getValue<std::string>("outcome") == "recovered");
    auto events = incident->getArray("events");
    std::vector<std::string> types;
    for (std::size_t i = 0; i < events->size(); ++i)
        types.push_back(events->getObject(static_cast<unsigned>(i))->getValue<std::string>("type"));
    CHECK(types == std::vector<std::string>{"warning", "failover", "outcome", "recovered"});
    auto root = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    auto uptime = root->getArray("uptime")->getObject(0);
    CHECK(uptime->getValue<std::string>("check") == "encoder");
    CHECK(uptime->getObject("day")->getValue<int>("failing") > 0);
    CHECK(uptime->getObject("day")->getValue<double>("percent") < 100.0);
    CHECK(uptime->getObject("day")->getValue<double>("percent") > 0.0);
    CHECK(stopsCleanly(daemon, SIGTERM, 10s));
}
