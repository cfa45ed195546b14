// The operator's side with the real binary (issue 15): `maintenance` and `ack` from the CLI (through
// the running daemon's status server, or the state file when none runs) and over HTTP.
#include "DaemonFixture.h"
#include "DaemonPipeline.h"

#include <doctest/doctest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <csignal>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

const char* kToken = "s3cret-token";

/// A fixture with the operator's pipeline written and both checks passing: `wait` before the backup,
/// `extra` rule keys (verify), `sink` the sinks: entry.
struct OperatorFixture : DaemonFixture {
    explicit OperatorFixture(const std::string& wait, const std::string& extra = "", const std::string& sink = "plugin: sink_only")
        : file(writePipeline(
              DaemonPipeline()
                  .http(port, kToken)
                  .scripted("encoder", "interval: 50ms")
                  .scripted("stream", "interval: 50ms")
                  .recorder("notes")
                  .recorder("backup", "role: remedy")
                  .rule("failover", "when: \"any of [encoder]\", warn: notes, wait: " + wait + ", then: backup, recover: notes" + extra)
                  .rule("online", "on: startup, then: notes")
                  .sink(sink)
                  .text())) {
        script({{"encoder", "pass"}, {"stream", "pass"}});
    }
    const int port = freeLoopbackPort();
    const std::string file;
};

std::string url(int port, const std::string& path) { return "http://127.0.0.1:" + std::to_string(port) + path; }

/// curl -i: the status line, headers and body.
std::string post(int port, const std::string& path, const std::string& body, const std::string& token = kToken) {
    return runCommand({"curl", "-s", "-i", "-X", "POST", "--max-time", "5", "-H", "Authorization: Bearer " + token, "-H",
                       "Content-Type: application/json", "--data", body, url(port, path)},
                      10s)
        .second;
}

std::string get(int port, const std::string& path) {
    return runCommand({"curl", "-s", "--max-time", "5", "-H", std::string("Authorization: Bearer ") + kToken, url(port, path)}, 10s).second;
}

/// /status; an empty object while the server does not answer yet.
Poco::JSON::Object::Ptr status(int port) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(get(port, "/status")).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        Poco::JSON::Object::Ptr empty = new Poco::JSON::Object;
        empty->set("checks", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
        empty->set("rules", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
        empty->set("maintenance", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
        return empty;
    }
}

Poco::JSON::Object::Ptr rule(int port, const std::string& id) {
    auto rules = status(port)->getArray("rules");
    for (std::size_t i = 0; i < rules->size(); ++i)
        if (rules->getObject(i)->getValue<std::string>("id") == id) return rules->getObject(i);
    return nullptr;
}

/// How many results of `kind` ("pass", "fail") the check had since the daemon started.
std::uint64_t results(int port, const std::string& check, const std::string& kind) {
    auto checks = status(port)->getArray("checks");
    for (std::size_t i = 0; i < checks->size(); ++i)
        if (checks->getObject(i)->getValue<std::string>("id") == check)
            return checks->getObject(i)->getObject("results")->getValue<std::uint64_t>(kind);
    return 0;
}

std::uint64_t failures(int port, const std::string& check) { return results(port, check, "fail"); }

const RecordedEvent* find(const std::vector<RecordedEvent>& events, const std::string& type) {
    for (const auto& e : events)
        if (e.type == type) return &e;
    return nullptr;
}

int lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("maintenance from the CLI: checks still run, no warning or remedy; one started and one ended message naming what failed") {
    OperatorFixture f("0s");
    ChildProcess daemon(f.command("run", {f.file}));
    INFO(daemon.output());
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));

    auto [rc, out] = runCommand(f.command("maintenance", {f.file, "1h", "--reason", "swapping the encoder"}), 20s);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("told the running watchdog at http://127.0.0.1:" + std::to_string(f.port) + "/") != std::string::npos);
    REQUIRE(f.waitForEvent("notes.jsonl", "maintenance_started"));

    f.script("encoder", "fail 0 sources");
    REQUIRE(waitUntil([&] { return failures(f.port, "encoder") >= 10; }, 10s));  // checks still run and are recorded
    CHECK(f.count("notes.jsonl", "warning") == 0);
    CHECK(f.count("notes.jsonl", "failover") == 0);
    CHECK(readFile(f.dir().file("backup.jsonl")).empty());

    auto windows = status(f.port)->getArray("maintenance");
    REQUIRE(windows->size() == 1);
    auto w = windows->getObject(0);
    CHECK(w->getValue<std::string>("scope") == "pipeline");
    CHECK(w->getValue<std::string>("id").empty());
    CHECK(w->getValue<std::string>("reason") == "swapping the encoder");
    CHECK(w->getValue<std::string>("until").back() == 'Z');
    CHECK(w->getValue<std::string>("started").back() == 'Z');
    CHECK(get(f.port, "/metrics").find("watchdog_maintenance_active{scope=\"pipeline\",id=\"\"} 1") != std::string::npos);

    auto [endRc, endOut] = runCommand(f.command("maintenance", {f.file, "--end"}), 20s);
    INFO(endOut);
    CHECK(endRc == 0);
    CHECK(endOut.find("told the running watchdog") != std::string::npos);
    REQUIRE(f.waitForEvent("notes.jsonl", "maintenance_ended"));
    const auto events = f.events("notes.jsonl");
    const RecordedEvent* ended = find(events, "maintenance_ended");
    CHECK(ended->summary.find("failed meanwhile: encoder") != std::string::npos);
    CHECK(ended->failing == std::vector<std::string>{"encoder"});
    // Still failing when the maintenance ends: the rule takes over again.
    REQUIRE(f.waitForEvent("notes.jsonl", "warning"));
    CHECK(status(f.port)->getArray("maintenance")->size() == 0);
    CHECK(f.count("notes.jsonl", "maintenance_started") == 1);
    CHECK(f.count("notes.jsonl", "maintenance_ended") == 1);
    CHECK(stopsCleanly(daemon));
}

TEST_CASE("a check in maintenance does not count, a rule in maintenance is held; both end by themselves and survive a restart") {
    OperatorFixture f("0s");
    {
        ChildProcess daemon(f.command("run", {f.file}));
        INFO(daemon.output());
        REQUIRE(f.waitForEvent("notes.jsonl", "startup"));
        std::string reply = post(f.port, "/maintenance", R"({"duration":"1h","check":"encoder","reason":"new card"})");
        CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
        CHECK(reply.find("\"scope\":\"check\"") != std::string::npos);
        f.script("encoder", "fail");
        REQUIRE(waitUntil([&] { return failures(f.port, "encoder") >= 10; }, 10s));
        CHECK(f.count("notes.jsonl", "warning") == 0);
        CHECK(stopsCleanly(daemon));
    }
    CHECK(readFile(f.dir().file("state.json")).find("\"scope\": \"check\"") != std::string::npos);
    {
        ChildProcess daemon(f.command("run", {f.file}));
        INFO(daemon.output());
        REQUIRE(waitUntil([&] { return failures(f.port, "encoder") >= 10; }, 10s));
        CHECK(status(f.port)->getArray("maintenance")->size() == 1);
        daemon.signal(SIGHUP);  // a reload keeps it too
        REQUIRE(waitUntil([&] { return daemon.output().find("reloaded") != std::string::npos; }, 10s));
        CHECK(status(f.port)->getArray("maintenance")->size() == 1);
        CHECK(f.count("notes.jsonl", "warning") == 0);
        // A short one on the rule ends by itself; the check's window still holds the encoder.
        CHECK(post(f.port, "/maintenance", R"({"duration":"1s","rule":"failover"})").rfind("HTTP/1.1 200", 0) == 0);
        REQUIRE(waitUntil(
            [&] {
                for (const auto& e : f.events("notes.jsonl"))
                    if (e.type == "maintenance_ended" && e.rule == "failover") return true;
                return false;
            },
            10s));
        const auto events = f.events("notes.jsonl");
        for (const auto& e : events)
            if (e.type == "maintenance_ended") CHECK(e.summary.find("ended as planned") != std::string::npos);
        CHECK(post(f.port, "/maintenance", R"({"end":true,"check":"encoder"})").rfind("HTTP/1.1 200", 0) == 0);
        REQUIRE(f.waitForEvent("notes.jsonl", "warning"));
        CHECK(post(f.port, "/maintenance", R"({"end":true})").rfind("HTTP/1.1 409", 0) == 0);  // none in force
        CHECK(stopsCleanly(daemon));
    }
}

TEST_CASE("bad maintenance input gets one clear line: negative, zero, too long, unknown check or rule, wrong token") {
    OperatorFixture f("0s");
    for (const auto& [arg, says] : std::vector<std::pair<std::string, std::string>>{{"-1h", "'-1h' is negative"},
                                                                                    {"0s", "'0s' is too short"},
                                                                                    {"99999d", "'99999d' is too long"},
                                                                                    {"soon", "'soon' is not a duration"}}) {
        auto [rc, out] = runCommand(f.command("maintenance", {f.file, arg}), 20s);
        INFO(out);
        CHECK(rc == 64);
        CHECK(out.find(says) != std::string::npos);
        CHECK(out.find("up to 30d") != std::string::npos);
        CHECK(lines(out) == 1);
    }
    auto [rc, out] = runCommand(f.command("maintenance", {f.file, "1h", "--check", "nosuch"}), 20s);
    CHECK(rc == 64);
    CHECK(out.find("has no check called 'nosuch'") != std::string::npos);
    CHECK(lines(out) == 1);

    ChildProcess daemon(f.command("run", {f.file}));
    INFO(daemon.output());
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));
    std::string reply = post(f.port, "/maintenance", R"({"duration":"1h","rule":"nosuch"})");
    CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(reply.find("no condition rule called 'nosuch'") != std::string::npos);
    reply = post(f.port, "/maintenance", R"({"duration":"-1h"})");
    CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(reply.find("is negative") != std::string::npos);
    reply = post(f.port, "/maintenance", R"({"duration":"1h","colour":"red"})");
    CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(reply.find("unknown field 'colour'") != std::string::npos);
    CHECK(post(f.port, "/maintenance", R"({"duration":"1h"})", "wrong").rfind("HTTP/1.1 401", 0) == 0);
    CHECK(post(f.port, "/ack", "{}", "wrong").rfind("HTTP/1.1 401", 0) == 0);
    CHECK(status(f.port)->getArray("maintenance")->size() == 0);
    CHECK(f.count("notes.jsonl", "maintenance_started") == 0);
    CHECK(stopsCleanly(daemon));
}

TEST_CASE("with no watchdog running, maintenance and ack are recorded in the state f.file and applied at the next start") {
    OperatorFixture f("1h");
    f.script("encoder", "fail");
    {
        ChildProcess daemon(f.command("run", {f.file}));
        INFO(daemon.output());
        REQUIRE(f.waitForEvent("notes.jsonl", "warning"));  // an incident is open (countdown of 1 h)
        CHECK(stopsCleanly(daemon));
    }
    auto [rc, out] = runCommand(f.command("maintenance", {f.file, "2h", "--check", "stream", "--reason", "rewiring"}), 20s);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("no watchdog is running (nothing answers at http://127.0.0.1:" + std::to_string(f.port) + "); recorded in " +
                   f.dir().file("state.json") + ", applied at next start") != std::string::npos);
    auto [ackRc, ackOut] = runCommand(f.command("ack", {f.file, "--reason", "on my way"}), 20s);
    INFO(ackOut);
    CHECK(ackRc == 0);
    CHECK(ackOut.find("no watchdog is running") != std::string::npos);

    ChildProcess daemon(f.command("run", {f.file}));
    INFO(daemon.output());
    REQUIRE(f.waitForEvent("notes.jsonl", "acknowledged"));
    REQUIRE(f.waitForEvent("notes.jsonl", "maintenance_started"));
    auto windows = status(f.port)->getArray("maintenance");
    REQUIRE(windows->size() == 1);
    CHECK(windows->getObject(0)->getValue<std::string>("id") == "stream");
    CHECK(windows->getObject(0)->getValue<std::string>("reason") == "rewiring");
    auto ack = rule(f.port, "failover")->getObject("acknowledged");
    REQUIRE(ack);
    CHECK(ack->getValue<std::string>("reason") == "on my way");
    CHECK(readFile(f.dir().file("state.json")).find("\"requests\"") == std::string::npos);  // applied once, then gone
    CHECK(stopsCleanly(daemon));
}

TEST_CASE("ack stops the escalations of the open incident, records who and why, and clears itself at the recovery") {
    OperatorFixture f("5s", ", verify: { checks: [stream], within: 300ms }");
    ChildProcess daemon(f.command("run", {f.file}));
    INFO(daemon.output());
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));

    auto [noneRc, noneOut] = runCommand(f.command("ack", {f.file}), 20s);
    CHECK(noneRc == 1);
    CHECK(noneOut.find("no incident is open to acknowledge") != std::string::npos);
    CHECK(post(f.port, "/ack", R"({"rule":"failover"})").rfind("HTTP/1.1 409", 0) == 0);
    CHECK(post(f.port, "/ack", R"({"rule":"nosuch"})").rfind("HTTP/1.1 400", 0) == 0);

    f.script("encoder", "fail");
    f.script("stream", "fail");
    REQUIRE(f.waitForEvent("notes.jsonl", "warning"));  // the backup starts 5 s later; the ack comes first
    auto [rc, out] = runCommand(f.command("ack", {f.file, "failover", "--reason", "driving to the studio"}), 20s);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("told the running watchdog at http://127.0.0.1:" + std::to_string(f.port) + "/: incident failover-") !=
          std::string::npos);
    REQUIRE(f.waitForEvent("notes.jsonl", "acknowledged"));
    auto ack = rule(f.port, "failover")->getObject("acknowledged");
    REQUIRE(ack);
    CHECK(ack->getValue<std::string>("reason") == "driving to the studio");
    CHECK(!ack->getValue<std::string>("by").empty());
    CHECK(ack->getValue<std::string>("at").back() == 'Z');

    // The remedy runs; the backup is not verified in time: logged and recorded, but nobody is called.
    REQUIRE(waitUntil([&] { return daemon.output().find("[not_verified]") != std::string::npos; }, 10s));
    REQUIRE(f.waitForEvent("notes.jsonl", "outcome"));
    CHECK(f.count("notes.jsonl", "not_verified") == 0);

    f.script("encoder", "pass");
    REQUIRE(f.waitForEvent("notes.jsonl", "recovered"));
    REQUIRE(waitUntil([&] { return rule(f.port, "failover")->isNull("acknowledged"); }, 5s));
    CHECK(stopsCleanly(daemon));
}

TEST_CASE("history leaves a check's maintenance out of its uptime and says how much was left out") {
    OperatorFixture f("1h", "", "{ plugin: sqlite, path: history.db }");
    {
        ChildProcess daemon(f.command("run", {f.file}));
        INFO(daemon.output());
        REQUIRE(waitUntil([&] { return results(f.port, "encoder", "pass") >= 5; }, 10s));
        REQUIRE(post(f.port, "/maintenance", R"({"duration":"1h","check":"encoder"})").rfind("HTTP/1.1 200", 0) == 0);
        f.script("encoder", "fail");
        REQUIRE(waitUntil([&] { return failures(f.port, "encoder") >= 10; }, 10s));
        f.script("encoder", "pass");
        const auto passes = results(f.port, "encoder", "pass");
        REQUIRE(waitUntil([&] { return results(f.port, "encoder", "pass") >= passes + 3; }, 10s));
        REQUIRE(post(f.port, "/maintenance", R"({"end":true,"check":"encoder"})").rfind("HTTP/1.1 200", 0) == 0);
        REQUIRE(f.waitForEvent("notes.jsonl", "maintenance_ended"));
        CHECK(stopsCleanly(daemon));
    }
    auto [rc, out] = runCommand(f.command("history", {f.file, "--since", "1h"}), 20s);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("encoder: 100 % passing (maintenance ") != std::string::npos);
    CHECK(out.find(" left out), 0 failures, 0 errors over 1 h") != std::string::npos);
    CHECK(out.find("stream: 100 % passing, 0 failures") != std::string::npos);
}
