// A hostile stats server (200k levels of nested XML, 1.4 MB, under max_body): the check reports an
// error with the reason, and neither `check` nor `run` of the real binary dies of it. A server that
// trickles its answer a byte at a time cannot hold the check past its timeout.
#include "IcecastCheck.h"

#include "TestSupport.h"
#include "TrickleServer.h"
#include <watchdog/testing/PluginTestKit.h>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <doctest/doctest.h>

#include <atomic>

using namespace watchdog;
using namespace watchdog::icecast;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

const std::string kReason = "sent stats XML nested deeper than 64 levels";

std::string deeplyNestedStats() {
    const int levels = 200000;
    std::string body = "<?xml version=\"1.0\"?>\n<icestats>";
    body.reserve(levels * 7 + 64);
    for (int i = 0; i < levels; ++i) body += "<a>";
    for (int i = 0; i < levels; ++i) body += "</a>";
    return body + "</icestats>";
}

// Serves the nested body at every path, as an Icecast whose /admin/stats went wrong would.
LocalHttpServer::Handler serve(const std::string& body) {
    return [&body](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
        response.setContentType("text/xml");
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.send() << body;
    };
}

std::string pipelineFor(const TempDir& dir, const LocalHttpServer& server) {
    return dir.write("pipeline.yaml",
                     "watchdog:\n  name: hostile\n  interval: 1h\n  state_file: state.json\n"
                     "checks:\n  icecast:\n    plugin: icecast\n    url: " +
                         server.url() +
                         "\n    password: x\n"
                         "sinks:\n  - { plugin: jsonl, path: records.jsonl }\n");
}

}  // namespace

TEST_CASE("200k levels of nested stats XML are an error result with the reason") {
    const std::string body = deeplyNestedStats();
    REQUIRE(body.size() > 1400000);
    LocalHttpServer server(serve(body));
    IcecastCheck check;
    check.configure(optionsFromYaml("url: " + server.url() + "\npassword: x\n", "checks.icecast"));
    std::atomic<bool> cancelled{false};
    const Result r = check.run(CheckContext{"icecast", "Icecast Sources", 1s, 10s, &cancelled});
    CHECK(std::string(toString(r.status)) == "error");
    CHECK(r.summary == "Icecast at 127.0.0.1:" + std::to_string(server.port()) + " " + kReason);
}

TEST_CASE("encoder-watchdog check against a server sending 200k nested levels exits 3 and prints the reason") {
    const std::string body = deeplyNestedStats();
    LocalHttpServer server(serve(body));
    TempDir dir;
    auto [code, output] = runCommand({watchdogBinary(), "check", pipelineFor(dir, server)}, 60s);
    CHECK_MESSAGE(code == 3, output);
    CHECK_MESSAGE(output.find("Icecast at 127.0.0.1:" + std::to_string(server.port()) + " " + kReason) != std::string::npos, output);
}

TEST_CASE("encoder-watchdog run records the error for such a server, keeps running and stops cleanly") {
    const std::string body = deeplyNestedStats();
    LocalHttpServer server(serve(body));
    TempDir dir;
    ChildProcess daemon({watchdogBinary(), "run", pipelineFor(dir, server)});
    const bool recorded = waitUntil([&] { return readFile(dir.file("records.jsonl")).find(kReason) != std::string::npos; }, 30s);
    CHECK_MESSAGE(recorded, daemon.output());
    CHECK(daemon.running());
    CHECK_MESSAGE(daemon.stop() == 0, daemon.output());
}

TEST_CASE("a server trickling its answer one byte every 200 ms cannot hold the check past its 500 ms timeout") {
    const std::string body =
        "<?xml version=\"1.0\"?>\n<icestats><server_id>Icecast 2.4.4</server_id><sources>1</sources>"
        "<source mount=\"/live\"><source_ip>127.0.0.1</source_ip></source></icestats>\n";
    const std::string answer = TrickleServer::okAnswer(body);
    struct Case {
        const char* trickled;
        std::size_t atOnce;
    };
    for (const Case& c : {Case{"the status line", 0}, Case{"the headers", TrickleServer::statusLineLength(answer)},
                          Case{"the body", TrickleServer::headLength(answer) + 20}}) {
        CAPTURE(c.trickled);
        TrickleServer server({answer, c.atOnce, 200ms, 0});
        IcecastCheck check;
        check.configure(optionsFromYaml("url: " + server.url() + "\npassword: x\n", "checks.icecast"));
        std::atomic<bool> cancelled{false};
        const Result r = check.run(CheckContext{"icecast", "Icecast Sources", 1s, 500ms, &cancelled});
        const std::string at = "Icecast at 127.0.0.1:" + std::to_string(server.port());
        CHECK(std::string(toString(r.status)) == "error");
        if (c.atOnce <= TrickleServer::statusLineLength(answer))
            CHECK(r.summary == "no answer from " + at + " within 500 ms");
        else
            CHECK(r.summary == at + " sent only part of its answer within 500 ms");
        CHECK(server.bytesSent() < answer.size());  // it gave up long before the answer was out
    }
}
