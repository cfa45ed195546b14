// The status server over a fake engine: what a browser, a Prometheus scraper, curl and a hostile
// client see.
#include "FakeEngineStatus.h"
#include "SampleStatusServer.h"
#include "TestSupport.h"
#include "http/StatusServer.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <doctest/doctest.h>

#include <mutex>
#include <regex>
#include <sstream>

using namespace watchdog;
using watchdog::test::FakeEngineStatus;

namespace {

struct Reply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
};

Reply request(int port, const std::string& method, const std::string& target, const std::string& authorization = "",
              const std::string& body = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!authorization.empty()) req.set("Authorization", authorization);
    if (!body.empty() || method == "POST") req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Reply r;
    r.status = resp.getStatus();
    Poco::StreamCopier::copyToString(in, r.body);
    for (const auto& [k, v] : resp) r.headers[k] = v;
    return r;
}

/// Sends raw bytes and returns everything the server answers until it closes or 2 s pass.
std::string rawExchange(int port, const std::string& bytes) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    socket.setReceiveTimeout(Poco::Timespan(2, 0));
    socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    std::string out;
    char buf[4096];
    try {
        int n;
        while ((n = socket.receiveBytes(buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    } catch (const Poco::TimeoutException&) {
    }
    return out;
}

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// Collects every message logged under "watchdog.http".
class CapturingChannel : public Poco::Channel {
public:
    void log(const Poco::Message& msg) override {
        std::lock_guard<std::mutex> lock(mutex);
        text += msg.getText() + "\n";
    }
    std::string all() {
        std::lock_guard<std::mutex> lock(mutex);
        return text;
    }
    std::mutex mutex;
    std::string text;
};

using Fixture = test::SampleStatusServer;

}  // namespace

TEST_CASE("GET /healthz answers ok on the port it picked") {
    Fixture f;
    REQUIRE(f.port() > 0);
    Reply r = request(f.port(), "GET", "/healthz");
    CHECK(r.status == 200);
    CHECK(r.body == "ok\n");
}

TEST_CASE("GET /status shows each check's state, last result, value and since, and each rule's deadline") {
    Fixture f;
    Reply r = request(f.port(), "GET", "/status");
    REQUIRE(r.status == 200);
    CHECK(r.headers["Content-Type"] == "application/json");
    auto root = parseObject(r.body);
    CHECK(root->getValue<std::string>("pipeline") == "station-eu");
    CHECK(root->getValue<std::string>("version") == "0.1.0");
    CHECK(root->getValue<double>("uptime_seconds") >= 7200.0);
    auto checks = root->getArray("checks");
    REQUIRE(checks->size() == 4);
    auto cpu = checks->getObject(1);
    CHECK(cpu->getValue<std::string>("id") == "liquidsoap_cpu");
    CHECK(cpu->getValue<std::string>("label") == "Liquidsoap CPU");
    CHECK(cpu->getValue<std::string>("state") == "failing");
    CHECK(cpu->getValue<double>("value") == doctest::Approx(3.5));
    CHECK(cpu->getValue<std::string>("unit") == "%");
    CHECK(cpu->getValue<std::string>("value_text") == "3.5 %");
    CHECK(checks->getObject(0)->getValue<std::string>("value_text") == "1 source");
    CHECK(cpu->getObject("last")->getValue<std::string>("summary") == "liquidsoap uses 3.5% CPU (below 20%)");
    CHECK(cpu->getObject("results")->getValue<int>("fail") == 7);
    CHECK(!cpu->getValue<std::string>("since").empty());
    CHECK(checks->getObject(0)->getObject("last")->getObject("details")->getValue<std::string>("/live") == "12 listeners");
    auto never = checks->getObject(3);
    CHECK(never->getValue<std::string>("state") == "unknown");
    CHECK(never->isNull("last"));
    CHECK(never->isNull("value"));
    CHECK(never->isNull("value_text"));
    auto rules = root->getArray("rules");
    REQUIRE(rules->size() == 2);
    CHECK(rules->getObject(0)->getValue<std::string>("state") == "pending");
    CHECK(!rules->getObject(0)->getValue<std::string>("deadline").empty());
    CHECK(rules->getObject(1)->isNull("deadline"));
    CHECK(root->getArray("sinks")->getObject(0)->getValue<int>("spool_bytes") == 2048);
}

TEST_CASE("GET /metrics is Prometheus text 0.0.4 with HELP and TYPE for every family") {
    Fixture f;
    Reply r = request(f.port(), "GET", "/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8");
    const std::string& m = r.body;
    CHECK(m.find("watchdog_check_status{check=\"icecast\",label=\"Icecast Sources\",state=\"passing\"} 1\n") != std::string::npos);
    CHECK(m.find("watchdog_check_status{check=\"liquidsoap_cpu\",label=\"Liquidsoap CPU\",state=\"failing\"} 1\n") != std::string::npos);
    CHECK(m.find("watchdog_check_status{check=\"liquidsoap_cpu\",label=\"Liquidsoap CPU\",state=\"passing\"} 0\n") != std::string::npos);
    CHECK(m.find("watchdog_check_value{check=\"liquidsoap_cpu\",unit=\"%\"} 3.5\n") != std::string::npos);
    CHECK(m.find("watchdog_check_value{check=\"ts_age\"") == std::string::npos);  // no result: no value sample
    CHECK(m.find("watchdog_check_results_total{check=\"icecast\",status=\"pass\"} 42\n") != std::string::npos);
    CHECK(m.find("watchdog_check_results_total{check=\"icecast\",status=\"error\"} 1\n") != std::string::npos);
    CHECK(m.find("watchdog_rule_state{rule=\"failover\",state=\"pending\"} 1\n") != std::string::npos);
    CHECK(m.find("watchdog_action_outcomes_total{action=\"discord\",plugin=\"discord_notify\",outcome=\"success\"} 5\n") !=
          std::string::npos);
    CHECK(m.find("watchdog_sink_queue_depth{sink=\"sqlite\"} 2\n") != std::string::npos);
    CHECK(m.find("watchdog_sink_spool_bytes{sink=\"sqlite\"} 2048\n") != std::string::npos);
    CHECK(m.find("watchdog_sink_records_dropped_total{sink=\"sqlite\"} 7\n") != std::string::npos);
    CHECK(m.find("\nprocess_start_time_seconds ") != std::string::npos);

    // Every sample line is NAME{labels} VALUE, every family is declared before its samples.
    const std::regex sample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? ([-+]?[0-9.eE+-]+|NaN|[+-]Inf)$)");
    std::istringstream lines(m);
    std::string line;
    std::set<std::string> declared;
    int samples = 0;
    while (std::getline(lines, line)) {
        if (line.rfind("# TYPE ", 0) == 0) {
            std::istringstream words(line.substr(7));
            std::string name, type;
            words >> name >> type;
            CHECK((type == "gauge" || type == "counter"));
            if (type == "counter") CHECK(name.size() > 6);
            if (type == "counter") CHECK(name.substr(name.size() - 6) == "_total");
            declared.insert(name);
            continue;
        }
        if (line.rfind("# HELP ", 0) == 0) continue;
        std::smatch match;
        INFO(line);
        REQUIRE(std::regex_match(line, match, sample));
        CHECK(declared.count(match[1].str()) == 1);
        ++samples;
    }
    CHECK(samples > 30);
}

TEST_CASE("/metrics: a flapping check, and a rule's limit with the remedy runs it used") {
    Fixture f;
    const auto now = std::chrono::system_clock::now();
    auto s = test::sampleStation(now);
    s.checks[1].snapshot.flapping = true;
    s.rules[0].phase = "limited";
    s.rules[0].deadline = now + std::chrono::hours(3);
    s.rules[0].limit = RuleLimitStatus{2, std::chrono::hours(24), 2, now + std::chrono::hours(3)};
    f.engine.setStatus(s);
    Reply r = request(f.port(), "GET", "/metrics");
    REQUIRE(r.status == 200);
    const std::string& m = r.body;
    CHECK(m.find("# TYPE watchdog_check_flapping gauge\n") != std::string::npos);
    CHECK(m.find("\nwatchdog_check_flapping{check=\"liquidsoap_cpu\"} 1\n") != std::string::npos);
    CHECK(m.find("\nwatchdog_check_flapping{check=\"icecast\"} 0\n") != std::string::npos);
    CHECK(m.find("# TYPE watchdog_rule_remedy_runs gauge\n") != std::string::npos);
    CHECK(m.find("# TYPE watchdog_rule_remedy_limit gauge\n") != std::string::npos);
    CHECK(m.find("\nwatchdog_rule_remedy_runs{rule=\"failover\"} 2\n") != std::string::npos);
    CHECK(m.find("\nwatchdog_rule_remedy_limit{rule=\"failover\"} 2\n") != std::string::npos);
    CHECK(m.find("watchdog_rule_remedy_runs{rule=\"status\"}") == std::string::npos);  // no limit: no sample
    CHECK(m.find("\nwatchdog_rule_state{rule=\"failover\",state=\"limited\"} 1\n") != std::string::npos);

    // A rule without limit: and checks without flap: have no remedy samples and flapping 0.
    f.engine.setStatus(test::sampleStation(now));
    const std::string plain = request(f.port(), "GET", "/metrics").body;
    CHECK(plain.find("watchdog_rule_remedy_runs{") == std::string::npos);
    CHECK(plain.find("watchdog_rule_remedy_limit{") == std::string::npos);
    CHECK(plain.find("watchdog_check_flapping{check=\"liquidsoap_cpu\"} 0\n") != std::string::npos);
}

TEST_CASE("label values with quotes, backslashes and newlines are escaped in /metrics") {
    Fixture f;
    auto s = test::sampleStation(std::chrono::system_clock::now());
    s.checks[0].snapshot.label = "Ice \"cast\" \\ 2\nline";
    f.engine.setStatus(s);
    Reply r = request(f.port(), "GET", "/metrics");
    CHECK(r.body.find("label=\"Ice \\\"cast\\\" \\\\ 2\\nline\"") != std::string::npos);
}

TEST_CASE("GET /history passes since, check and limit to the engine and returns its records") {
    Fixture f;
    const auto before = std::chrono::system_clock::now();
    Reply r = request(f.port(), "GET", "/history?since=30m&check=icecast&limit=10");
    REQUIRE(r.status == 200);
    auto q = f.engine.lastQuery();
    CHECK(q.checkId == "icecast");
    CHECK(q.limit == 10);
    CHECK(q.since <= before - std::chrono::minutes(30) + std::chrono::seconds(5));
    CHECK(q.since >= before - std::chrono::minutes(31));
    auto records = parseObject(r.body)->getArray("records");
    REQUIRE(records->size() == 10);
    auto last = records->getObject(9);
    CHECK(last->getValue<std::string>("kind") == "result");
    CHECK(last->getValue<std::string>("check") == "icecast");
    CHECK(last->getValue<std::string>("status") == "pass");
    CHECK(last->getValue<double>("value") == 1.0);

    Reply all = request(f.port(), "GET", "/history");
    CHECK(all.status == 200);
    CHECK(f.engine.lastQuery().checkId.empty());
    CHECK(parseObject(all.body)->getArray("records")->size() > 100);
}

TEST_CASE("GET /history with a bad query is a 400 that says what is wrong; without a history sink a 503") {
    Fixture f;
    Reply bad = request(f.port(), "GET", "/history?since=yesterday");
    CHECK(bad.status == 400);
    CHECK(parseObject(bad.body)->getValue<std::string>("error") == "since: 'yesterday' is not a duration (use 15m, 1h, 2d)");
    CHECK(request(f.port(), "GET", "/history?limit=-3").status == 400);
    CHECK(request(f.port(), "GET", "/history?colour=red").status == 400);
    CHECK(request(f.port(), "GET", "/history?since=%zz").status == 400);
    f.engine.setHistoryAvailable(false);
    Reply none = request(f.port(), "GET", "/history");
    CHECK(none.status == 503);
    CHECK(parseObject(none.body)->getValue<std::string>("error").find("no readable history sink") != std::string::npos);
}

TEST_CASE("POST /notify asks the engine for a status report now") {
    Fixture f;
    Reply r = request(f.port(), "POST", "/notify");
    CHECK(r.status == 202);
    CHECK(f.engine.reports() == 1);
    request(f.port(), "POST", "/notify", "", "{}");
    CHECK(f.engine.reports() == 2);
}

TEST_CASE("POST /notify inside status_min_interval answers 429 with Retry-After and when the next report may go") {
    Fixture f;
    const TimePoint next = std::chrono::system_clock::now() + std::chrono::seconds(90);
    f.engine.setReportDecision({false, next, true, 0});
    Reply r = request(f.port(), "POST", "/notify");
    CHECK(r.status == 429);
    const int retryAfter = std::stoi(r.headers["Retry-After"]);
    CHECK(retryAfter >= 89);
    CHECK(retryAfter <= 90);
    auto body = parseObject(r.body);
    CHECK(body->getValue<std::string>("next_report_at") == toIso8601(next));
    CHECK(body->getValue<int>("retry_after_s") == retryAfter);
    CHECK(body->getValue<std::string>("error").find("status_min_interval") != std::string::npos);
}

TEST_CASE("wrong methods get 405 with Allow, unknown paths 404") {
    Fixture f;
    Reply get = request(f.port(), "GET", "/notify");
    CHECK(get.status == 405);
    CHECK(get.headers["Allow"] == "POST");
    CHECK(f.engine.reports() == 0);
    Reply post = request(f.port(), "POST", "/status");
    CHECK(post.status == 405);
    CHECK(post.headers["Allow"] == "GET, HEAD");
    CHECK(request(f.port(), "DELETE", "/metrics").status == 405);
    CHECK(request(f.port(), "GET", "/nope").status == 404);
    CHECK(request(f.port(), "GET", "/status/extra").status == 404);
    CHECK(request(f.port(), "HEAD", "/status").status == 200);
}

TEST_CASE("oversized and malformed requests get 413, 414 or 400 and the server keeps serving") {
    Fixture f;
    Reply big = request(f.port(), "POST", "/notify", "", std::string(5000, 'x'));
    CHECK(big.status == 413);
    CHECK(f.engine.reports() == 0);
    CHECK(request(f.port(), "GET", "/status?" + std::string(3000, 'a')).status == 414);

    const std::string chunked = rawExchange(f.port(), "POST /notify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2000\r\n" +
                                                          std::string(0x2000, 'y') + "\r\n0\r\n\r\n");
    CHECK(chunked.rfind("HTTP/1.1 413", 0) == 0);
    CHECK(rawExchange(f.port(), "GARBAGE\r\n\r\n").rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(rawExchange(f.port(), "GET /status HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'h') + "\r\n\r\n")
              .rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(request(f.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("with a token, /status, /metrics, /history and /notify need it; the token never reaches the log") {
    const std::string token = "s3cret-T0ken-for-tests";
    Poco::AutoPtr<CapturingChannel> channel(new CapturingChannel);
    Poco::Logger& logger = Poco::Logger::get("watchdog.http");
    Poco::Channel::Ptr previous(logger.getChannel());
    const int previousLevel = logger.getLevel();
    logger.setChannel(channel);
    logger.setLevel(Poco::Message::PRIO_TRACE);
    {
        Fixture f(token);
        for (const char* path : {"/status", "/metrics", "/history"}) {
            Reply none = request(f.port(), "GET", path);
            CHECK(none.status == 401);
            CHECK(none.headers["WWW-Authenticate"] == "Bearer realm=\"encoder-watchdog\"");
            Reply wrong = request(f.port(), "GET", path, "Bearer s3cret-T0ken-for-test");
            CHECK(wrong.status == 401);
            CHECK(wrong.headers["WWW-Authenticate"] == "Bearer realm=\"encoder-watchdog\", error=\"invalid_token\"");
            CHECK(request(f.port(), "GET", path, "Bearer " + token).status == 200);
            CHECK(request(f.port(), "GET", path, "bearer  " + token).status == 200);
        }
        CHECK(request(f.port(), "GET", "/status", "Basic " + token).status == 401);
        CHECK(request(f.port(), "POST", "/notify", "Bearer " + token + "x").status == 401);
        CHECK(f.engine.reports() == 0);
        CHECK(request(f.port(), "POST", "/notify", "Bearer " + token).status == 202);
        CHECK(f.engine.reports() == 1);
        // The page and the health check carry no data and stay reachable for browsers and probes.
        CHECK(request(f.port(), "GET", "/").status == 200);
        CHECK(request(f.port(), "GET", "/healthz").status == 200);
        f.server->stop();
    }
    logger.setChannel(previous);
    logger.setLevel(previousLevel);
    const std::string logged = channel->all();
    CHECK(logged.find("401 for GET /status") != std::string::npos);
    CHECK(logged.find("s3cret") == std::string::npos);
}

TEST_CASE("a port already in use is a one-line error naming the address") {
    Fixture f;
    HttpSettings settings;
    settings.port = f.port();
    FakeEngineStatus other;
    StatusServer second(settings, other);
    std::string message;
    try {
        second.start();
    } catch (const std::runtime_error& e) {
        message = e.what();
    }
    CHECK(message == "http: cannot listen on 127.0.0.1:" + std::to_string(f.port()) + ": address already in use");
    CHECK(request(f.port(), "GET", "/healthz").status == 200);

    HttpSettings unknown;
    unknown.host = "no-such-host.invalid";
    unknown.port = 0;
    StatusServer third(unknown, other);
    CHECK_THROWS_WITH_AS(third.start(), "http: cannot listen on no-such-host.invalid:0: unknown host 'no-such-host.invalid'",
                         std::runtime_error);
}

TEST_CASE("stop closes the port and can be called twice") {
    Fixture f;
    const int port = f.port();
    f.server->stop();
    f.server->stop();
    CHECK(f.server->port() == 0);
    CHECK_THROWS(request(port, "GET", "/healthz"));
}

TEST_CASE("the status page is self-contained: no external scripts, styles, fonts or images") {
    Fixture f;
    Reply r = request(f.port(), "GET", "/");
    REQUIRE(r.status == 200);
    CHECK(r.headers["Content-Type"] == "text/html; charset=utf-8");
    CHECK(r.headers["Content-Security-Policy"].find("default-src 'none'") != std::string::npos);
    CHECK(r.body.find("<script src") == std::string::npos);
    CHECK(r.body.find("<link") == std::string::npos);
    CHECK(r.body.find("url(") == std::string::npos);
    CHECK(r.body.find("@import") == std::string::npos);
    // The only absolute URL is the SVG namespace name, which is never fetched.
    std::size_t at = 0;
    while ((at = r.body.find("http", at)) != std::string::npos) {
        if (r.body.compare(at, 7, "http://") == 0 || r.body.compare(at, 8, "https://") == 0)
            CHECK(r.body.compare(at, 26, "http://www.w3.org/2000/svg") == 0);
        ++at;
    }
}
