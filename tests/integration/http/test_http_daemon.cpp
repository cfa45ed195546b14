// The status server inside the real daemon: `encoder-watchdog run` with http: enabled, real checks
// running, a jsonl sink to see the events; what curl and Prometheus would see.
#include "TestSupport.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <doctest/doctest.h>

using namespace watchdog;

namespace {

std::pair<int, std::string> http(int port, const std::string& method, const std::string& path, const std::string& token = "") {
    try {
        Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
        s.setTimeout(Poco::Timespan(5, 0));
        Poco::Net::HTTPRequest req(method, path, "HTTP/1.1");
        if (!token.empty()) req.set("Authorization", "Bearer " + token);
        if (method == "POST") req.setContentLength(0);
        s.sendRequest(req);
        Poco::Net::HTTPResponse resp;
        std::string body;
        Poco::StreamCopier::copyToString(s.receiveResponse(resp), body);
        return {resp.getStatus(), body};
    } catch (const Poco::Exception&) {
        return {0, ""};
    }
}

}  // namespace

TEST_CASE("a running daemon serves /status and /metrics for its checks and POST /notify records a status report") {
    test::TempDir dir;
    dir.write("hls/a.ts", "x");
    dir.write("hls/b.ts", "x");
    const int port = test::freeLoopbackPort();
    const std::string token = "daemon-token-42";
    dir.write("pipeline.yaml",
              "watchdog: { name: http-test, interval: 200ms, timeout: 100ms, state_file: state.json }\n"
              "log: { console: true, level: information }\n"
              "http:\n  listen: 127.0.0.1:" +
                  std::to_string(port) +
                  "\n  token: ${STATUS_TOKEN}\n"
                  "checks:\n"
                  "  ts_count: { plugin: hls_count, label: TS File Count, directory: hls, max_files: 1 }\n"
                  "  ts_age: { plugin: hls_age, label: HLS Old Files, directory: hls, max_age: 15m }\n"
                  "sinks:\n"
                  "  - { plugin: jsonl, path: events.jsonl, fsync: false }\n"
                  "  - { plugin: sqlite, path: history.db }\n");
    test::ChildProcess daemon({test::watchdogBinary(), "run", dir.file("pipeline.yaml")}, {{"STATUS_TOKEN", token}});
    REQUIRE_MESSAGE(test::waitUntil([&] { return http(port, "GET", "/healthz").first == 200; }, std::chrono::seconds(10)), daemon.output());

    std::string status;
    REQUIRE(test::waitUntil(
        [&] {
            auto r = http(port, "GET", "/status", token);
            status = r.second;
            return r.first == 200 && status.find("\"state\":\"failing\"") != std::string::npos;
        },
        std::chrono::seconds(10)));
    CHECK(status.find("\"pipeline\":\"http-test\"") != std::string::npos);
    CHECK(status.find("\"id\":\"ts_count\"") != std::string::npos);
    CHECK(status.find("\"id\":\"ts_age\"") != std::string::npos);

    auto metrics = http(port, "GET", "/metrics", token);
    CHECK(metrics.first == 200);
    CHECK(metrics.second.find("watchdog_check_status{check=\"ts_count\",label=\"TS File Count\",state=\"failing\"} 1") !=
          std::string::npos);
    CHECK(metrics.second.find("watchdog_check_value{check=\"ts_count\",unit=\"files\"} 2") != std::string::npos);
    CHECK(http(port, "GET", "/metrics").first == 401);
    CHECK(http(port, "GET", "/metrics", "wrong-" + token).first == 401);

    REQUIRE(test::waitUntil(
        [&] {
            return http(port, "GET", "/history?since=1m&check=ts_count", token).second.find("\"check\":\"ts_count\"") != std::string::npos;
        },
        std::chrono::seconds(10)));

    CHECK(test::readFile(dir.file("events.jsonl")).find("\"type\":\"status\"") == std::string::npos);
    CHECK(http(port, "POST", "/notify", token).first == 202);
    CHECK(test::waitUntil([&] { return test::readFile(dir.file("events.jsonl")).find("\"type\":\"status\"") != std::string::npos; },
                          std::chrono::seconds(10)));

    CHECK(daemon.stop() == 0);
    CHECK(daemon.output().find(token) == std::string::npos);
}

TEST_CASE("a daemon whose status port is taken exits with a one-line error naming the address") {
    test::TempDir dir;
    dir.write("hls/a.ts", "x");
    test::LocalHttpServer squatter([](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& r) { r.send(); });
    dir.write("pipeline.yaml",
              "watchdog: { interval: 1s, state_file: state.json }\n"
              "http: { listen: 127.0.0.1:" +
                  std::to_string(squatter.port()) +
                  " }\n"
                  "checks:\n  ts_count: { plugin: hls_count, directory: hls, max_files: 5 }\n"
                  "sinks:\n  - { plugin: jsonl, path: events.jsonl }\n");
    auto [code, output] = test::runCommand({test::watchdogBinary(), "run", dir.file("pipeline.yaml")}, std::chrono::seconds(20));
    INFO(output);
    CHECK(code != 0);
    CHECK(output.find("http: cannot listen on 127.0.0.1:" + std::to_string(squatter.port()) + ": address already in use") !=
          std::string::npos);
}

TEST_CASE("a running daemon answers /healthz while 4 clients hold connections sending their headers a byte at a time") {
    test::TempDir dir;
    dir.write("hls/a.ts", "x");
    const int port = test::freeLoopbackPort();
    dir.write("pipeline.yaml",
              "watchdog: { interval: 1s, state_file: state.json }\n"
              "http: { listen: 127.0.0.1:" +
                  std::to_string(port) +
                  " }\n"
                  "checks:\n  ts_count: { plugin: hls_count, directory: hls, max_files: 5 }\n"
                  "sinks:\n  - { plugin: jsonl, path: events.jsonl }\n");
    test::ChildProcess daemon({test::watchdogBinary(), "run", dir.file("pipeline.yaml")});
    REQUIRE_MESSAGE(test::waitUntil([&] { return http(port, "GET", "/healthz").first == 200; }, std::chrono::seconds(10)), daemon.output());

    // The slowloris clients of issue 19: each has sent part of a request and adds a byte now and then.
    std::vector<Poco::Net::StreamSocket> slow;
    const std::string opening = "GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    for (int i = 0; i < 4; ++i) {
        slow.emplace_back(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
        slow.back().sendBytes(opening.data(), static_cast<int>(opening.size()));
    }
    for (int round = 0; round < 3; ++round) {
        for (auto& s : slow) s.sendBytes("a", 1);
        CHECK(http(port, "GET", "/healthz") == std::make_pair(200, std::string("ok\n")));
    }
    // Still mid-request (the daemon gives a request 10 s): nothing answered, nothing closed.
    for (auto& s : slow) CHECK_FALSE(s.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ));
    CHECK(daemon.stop() == 0);
}
