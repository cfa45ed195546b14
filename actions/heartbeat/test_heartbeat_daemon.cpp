// The real daemon with a heartbeat action pinging a local endpoint: the start ping, a ping per
// cycle, URL/fail while an incident is open and back to URL after it; an endpoint that is down
// neither stops the checks nor floods the log.
#include "TestSupport.h"

#include <Poco/StreamCopier.h>

#include <doctest/doctest.h>

#include <fstream>
#include <mutex>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

/// Paths of the requests a local ping endpoint received, in order.
struct PingEndpoint {
    std::mutex mutex;
    std::vector<std::string> paths;
    LocalHttpServer server{[this](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            paths.push_back(req.getURI());
        }
        res.send() << "OK";
    }};
    int count(const std::string& path) {
        std::lock_guard<std::mutex> lock(mutex);
        return static_cast<int>(std::count(paths.begin(), paths.end(), path));
    }
    std::vector<std::string> all() {
        std::lock_guard<std::mutex> lock(mutex);
        return paths;
    }
};

std::string pipeline(const TempDir& dir, const std::string& url) {
    dir.write("a.txt", "pass fine\n");
    dir.write("b.txt", "pass fine\n");
    return dir.write("pipeline.yaml",
                     "watchdog:\n  name: hb\n  state_file: state.json\n"
                     "checks:\n"
                     "  a: { plugin: scripted, file: a.txt, interval: 30ms }\n"
                     "  b: { plugin: scripted, file: b.txt, interval: 30ms }\n"
                     "actions:\n"
                     "  ping: { plugin: heartbeat, url: \"" +
                         url +
                         "\", timeout: 300ms }\n"
                         "  notes: { plugin: recorder, file: notes.jsonl }\n"
                         "rules:\n"
                         "  failover:\n    when: 2 of [a, b]\n    warn: notes\n    wait: 1h\n    recover: notes\n"
                         "sinks:\n  - plugin: sink_only\n");
}

void script(const TempDir& dir, const std::string& id, const std::string& line) {
    const std::string tmp = dir.write(id + ".tmp", line + "\n");
    std::rename(tmp.c_str(), dir.file(id + ".txt").c_str());
}

std::vector<std::string> argv(const std::string& pipelineFile) {
    return {watchdogBinary(), "run", pipelineFile, "--plugin-path", buildDir() + "/tests/plugins"};
}

int occurrences(const std::string& text, const std::string& word) {
    int n = 0;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("daemon: /start at start, a ping per cycle, /fail while the incident is open, the plain URL after it") {
    REQUIRE_MESSAGE(std::ifstream(watchdogBinary()).good(), "build encoder-watchdog first");
    PingEndpoint endpoint;
    TempDir dir;
    ChildProcess daemon(argv(pipeline(dir, endpoint.server.url() + "/ping/uuid")));
    REQUIRE_MESSAGE(waitUntil([&] { return endpoint.count("/ping/uuid") >= 3; }, 10s), daemon.output());
    CHECK(endpoint.all().front() == "/ping/uuid/start");
    CHECK(endpoint.count("/ping/uuid/start") == 1);
    CHECK(endpoint.count("/ping/uuid/fail") == 0);

    script(dir, "a", "fail down");
    script(dir, "b", "fail down");
    REQUIRE_MESSAGE(waitUntil([&] { return endpoint.count("/ping/uuid/fail") >= 3; }, 10s), daemon.output());
    CHECK(readFile(dir.file("notes.jsonl")).find("\"warning\"") != std::string::npos);

    script(dir, "a", "pass fine");
    script(dir, "b", "pass fine");
    const int before = endpoint.count("/ping/uuid");
    REQUIRE_MESSAGE(waitUntil([&] { return endpoint.count("/ping/uuid") >= before + 3; }, 10s), daemon.output());
    const auto paths = endpoint.all();
    CHECK(paths.back() == "/ping/uuid");
    CHECK(daemon.stop() == 0);
}

TEST_CASE("daemon: a heartbeat endpoint that is down is logged once and the checks and rules go on") {
    REQUIRE_MESSAGE(std::ifstream(watchdogBinary()).good(), "build encoder-watchdog first");
    TempDir dir;
    const int port = freeLoopbackPort();
    ChildProcess daemon(argv(pipeline(dir, "http://127.0.0.1:" + std::to_string(port) + "/ping/uuid")));
    REQUIRE(waitUntil([&] { return daemon.output().find("ping failed") != std::string::npos; }, 10s));
    script(dir, "a", "fail down");
    script(dir, "b", "fail down");
    REQUIRE_MESSAGE(waitUntil([&] { return readFile(dir.file("notes.jsonl")).find("\"warning\"") != std::string::npos; }, 10s),
                    daemon.output());
    CHECK(daemon.running());
    const std::string log = daemon.output();
    CHECK(occurrences(log, "ping failed") == 1);
    CHECK(occurrences(log, "127.0.0.1:" + std::to_string(port)) == 1);
    CHECK(log.find("/ping/uuid") == std::string::npos);  // the ping URL's path is its secret
    CHECK(daemon.stop() == 0);
}
