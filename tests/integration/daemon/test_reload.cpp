// The real binary when a pipeline validates but cannot start: a status port taken by another
// process at `run` and at SIGHUP, a status server moving port or changing token on reload, and a new
// engine that fails to start. The running configuration stays; nothing is announced that is not so.
#include "DaemonFixture.h"
#include "DaemonPipeline.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <doctest/doctest.h>

#include <csignal>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

/// The pipeline body with a status server on `port` (`token` when not empty); the encoder check counts
/// its runs in `runs`, so a test can tell which configuration runs.
std::string body(int port, const std::string& runs, const std::string& token = "") {
    return DaemonPipeline()
        .http(port, token)
        .scripted("encoder", "interval: 50ms, runs_file: " + runs)
        .scripted("segments", "interval: 50ms")
        .recorder("notes")
        .recorder("backup", "role: remedy")
        .rule("failover", "when: \"2 of [encoder, segments]\", warn: notes, wait: 1h, then: backup, recover: notes")
        .rule("online", "on: startup, then: notes")
        .sink("plugin: sink_only")
        .text();
}

/// Writes the pipeline (status server on `port`, runs counted in runs.txt) with both checks passing.
std::string writePassing(const DaemonFixture& f, int port) {
    const std::string pipeline = f.writePipeline(body(port, "runs.txt"));
    f.script({{"encoder", "pass"}, {"segments", "pass"}});
    return pipeline;
}

/// The HTTP status curl got for `path` on 127.0.0.1:port ("000" when nothing listens).
std::string httpStatus(int port, const std::string& path, const std::string& token = "") {
    std::vector<std::string> curl{
        "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port) + path};
    if (!token.empty()) curl.insert(curl.begin() + 1, {"-H", "Authorization: Bearer " + token});
    return runCommand(curl, 10s).second;
}

/// A port another process holds: listening on 127.0.0.1, never answering.
struct TakenPort {
    Poco::Net::ServerSocket socket{Poco::Net::SocketAddress("127.0.0.1", 0)};
    int port() const { return socket.address().port(); }
};

bool says(ChildProcess& daemon, const std::string& text, std::chrono::milliseconds timeout = 10s) {
    return waitUntil([&] { return daemon.output().find(text) != std::string::npos; }, timeout);
}

}  // namespace

TEST_CASE("run with the status port taken exits 1 with one clear line, announcing nothing and checking nothing") {
    DaemonFixture f;
    TakenPort taken;
    const std::string pipeline = writePassing(f, taken.port());
    auto [code, out] = runCommand(f.command("run", {pipeline}), 20s);
    INFO(out);
    CHECK(code == 1);
    CHECK(out.find("cannot start: http: cannot listen on 127.0.0.1:" + std::to_string(taken.port()) + ": address already in use") !=
          std::string::npos);
    CHECK(f.types("notes.jsonl").empty());  // no "now actively monitoring" for systemd's Restart= to repeat
    CHECK(readFile(f.dir().file("runs.txt")).empty());
}

TEST_CASE("SIGHUP to a pipeline whose status port is taken keeps the running configuration, its server and its checks") {
    DaemonFixture f;
    TakenPort taken;
    const int port = freeLoopbackPort();
    const std::string pipeline = writePassing(f, port);
    ChildProcess daemon(f.command("run", {pipeline}));
    INFO(daemon.output());
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));

    f.writePipeline(body(taken.port(), "reloaded.txt"));
    daemon.signal(SIGHUP);
    REQUIRE(says(daemon, "reload refused"));
    CHECK(daemon.output().find("reload refused: http: cannot listen on 127.0.0.1:" + std::to_string(taken.port()) +
                               ": address already in use; keeping the running configuration") != std::string::npos);
    CHECK(daemon.running());
    CHECK(httpStatus(port, "/healthz") == "200");

    // The old configuration still watches: a failure is still noticed by its rule.
    f.script({{"encoder", "fail 0 sources"}, {"segments", "fail old"}});
    REQUIRE(f.waitForEvent("notes.jsonl", "warning"));
    CHECK(readFile(f.dir().file("reloaded.txt")).empty());

    CHECK(stopsCleanly(daemon));
    CHECK(f.count("notes.jsonl", "startup") == 1);
}

TEST_CASE("SIGHUP moves the status server to a new port, and keeps its port when only the token changes") {
    DaemonFixture f;
    const int first = freeLoopbackPort();
    const std::string pipeline = writePassing(f, first);
    ChildProcess daemon(f.command("run", {pipeline}));
    INFO(daemon.output());
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));
    REQUIRE(httpStatus(first, "/status") == "200");

    int second = freeLoopbackPort();
    while (second == first) second = freeLoopbackPort();
    f.writePipeline(body(second, "second.txt"));
    daemon.signal(SIGHUP);
    REQUIRE(waitUntil([&] { return !readFile(f.dir().file("second.txt")).empty(); }, 10s));
    REQUIRE(says(daemon, "reloaded"));
    CHECK(httpStatus(second, "/status") == "200");
    CHECK(httpStatus(first, "/healthz") == "000");

    f.writePipeline(body(second, "third.txt", "new-token"));
    daemon.signal(SIGHUP);
    REQUIRE(waitUntil([&] { return !readFile(f.dir().file("third.txt")).empty(); }, 10s));
    CHECK(httpStatus(second, "/status") == "401");
    CHECK(httpStatus(second, "/status", "new-token") == "200");

    CHECK(stopsCleanly(daemon));
    CHECK(f.count("notes.jsonl", "startup") == 1);
}

TEST_CASE("SIGHUP to a pipeline whose engine cannot start goes back to the running configuration") {
    DaemonFixture f;
    const int port = freeLoopbackPort();
    const std::string pipeline = writePassing(f, port);
    ChildProcess daemon(f.command("run", {pipeline}));
    INFO(daemon.output());
    REQUIRE(f.waitForEvent("notes.jsonl", "startup"));

    // Valid, but its state folder is a file: the sink's spool folder cannot be made when it starts.
    f.dir().write("blocker", "a file, not a folder\n");
    f.dir().write("pipeline.yaml", "watchdog:\n  name: test\n  state_file: blocker/state.json\n" + body(port, "reloaded.txt"));
    daemon.signal(SIGHUP);
    REQUIRE(says(daemon, "back on the previous configuration"));
    CHECK(daemon.output().find("reload: cannot start the new configuration: sink sink_only") != std::string::npos);
    CHECK(daemon.running());
    CHECK(httpStatus(port, "/healthz") == "200");

    f.script({{"encoder", "fail 0 sources"}, {"segments", "fail old"}});
    REQUIRE(f.waitForEvent("notes.jsonl", "warning"));

    CHECK(stopsCleanly(daemon));
    CHECK(f.count("notes.jsonl", "startup") == 1);
}
