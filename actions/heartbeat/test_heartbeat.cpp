// The heartbeat action on its own: options, which ping each event calls for (the rate limit and the
// fail/success switch), and pings against a local HTTP endpoint (paths, methods, bodies, timeout).
#include "PingPlan.h"
#include "HeartbeatAction.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>

#include <Poco/StreamCopier.h>

#include <doctest/doctest.h>

#include <mutex>
#include <thread>

using namespace watchdog;
using namespace watchdog::heartbeat;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<HeartbeatAction> action(const std::string& yaml) {
    auto a = std::make_unique<HeartbeatAction>();
    a->configure(testing::optionsFromYaml(yaml, "actions.ping"));
    return a;
}

std::string configureError(const std::string& yaml) {
    try {
        action(yaml);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

Event cycle(int openIncidents) {
    Event e;
    e.type = EventType::Status;
    e.pipeline = "station";
    e.details.emplace_back(kOpenIncidentsDetail, std::to_string(openIncidents));
    return e;
}

Event startup() {
    Event e;
    e.type = EventType::Startup;
    e.pipeline = "station";
    return e;
}

struct Hit {
    std::string method, path, body;
};

/// A ping endpoint that records every request and answers `status`.
struct Recorder {
    std::mutex mutex;
    std::vector<Hit> hits;
    int status = 200;
    std::chrono::milliseconds delay{0};
    LocalHttpServer server{[this](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
        std::string body;
        Poco::StreamCopier::copyToString(req.stream(), body);
        std::chrono::milliseconds wait;
        int answer;
        {
            std::lock_guard<std::mutex> lock(mutex);
            hits.push_back({req.getMethod(), req.getURI(), body});
            wait = delay;
            answer = status;
        }
        std::this_thread::sleep_for(wait);
        res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer));
        res.send() << "OK";
    }};
    std::vector<Hit> all() {
        std::lock_guard<std::mutex> lock(mutex);
        return hits;
    }
};

ActionContext context() { return ActionContext{"ping", "ping", false, nullptr}; }

}  // namespace

TEST_CASE("options: url is required and must be http(s) without user info; method, every and timeout are checked") {
    CHECK(configureError("plugin: heartbeat\n").find("url") != std::string::npos);
    CHECK(configureError("url: ftp://example.com/x\n").find("url: must start with http:// or https://") != std::string::npos);
    CHECK(configureError("url: https://u:p@hc-ping.com/x\n").find("user:password@") != std::string::npos);
    CHECK(configureError("url: https://hc-ping.com/x\nmethod: PUT\n").find("method") != std::string::npos);
    CHECK(configureError("url: https://hc-ping.com/x\ntimeout: 0s\n").find("timeout: must be more than 0") != std::string::npos);
    CHECK(configureError("url: https://hc-ping.com/x\nevery: soon\n").find("every") != std::string::npos);
    CHECK(configureError("url: https://hc-ping.com/x\nca_file: /nonexistent/ca.pem\n").find("ca_file") != std::string::npos);
    CHECK(configureError("url: https://hc-ping.com/x\nmethod: POST\nevery: 1m\ntimeout: 2s\nstart: false\n").empty());
}

TEST_CASE("plan: the first cycle after a start pings, then at most one ping per `every`; a change to fail or back pings at once") {
    PingPlan plan(60s, true);
    const auto t0 = PingPlan::Clock::now();
    CHECK(plan.next(startup(), t0) == PingKind::Start);
    CHECK(plan.next(cycle(0), t0 + 1s) == PingKind::Success);
    CHECK_FALSE(plan.next(cycle(0), t0 + 30s));
    CHECK(plan.next(cycle(0), t0 + 59s) == PingKind::Success);  // within the 5 % slack of a cycle ending early
    CHECK(plan.next(cycle(1), t0 + 60s) == PingKind::Fail);     // an incident opened: at once
    CHECK_FALSE(plan.next(cycle(1), t0 + 90s));
    CHECK(plan.next(cycle(1), t0 + 120s) == PingKind::Fail);
    CHECK(plan.next(cycle(0), t0 + 121s) == PingKind::Success);  // closed: at once
    Event warning = cycle(1);
    warning.type = EventType::Warning;
    warning.rule = "failover";
    CHECK_FALSE(plan.next(warning, t0 + 500s));  // only the core's cycle events and Startup ping
    Event ruleStatus = cycle(0);
    ruleStatus.rule = "status";
    CHECK_FALSE(plan.next(ruleStatus, t0 + 500s));
}

TEST_CASE("plan: every 0 pings every cycle; start: false sends no start ping") {
    PingPlan plan(0ms, false);
    const auto t0 = PingPlan::Clock::now();
    CHECK_FALSE(plan.next(startup(), t0));
    CHECK(plan.next(cycle(0), t0) == PingKind::Success);
    CHECK(plan.next(cycle(0), t0 + 1ms) == PingKind::Success);
}

TEST_CASE("pings reach URL, URL/fail and URL/start with GET; a query stays at the end") {
    Recorder endpoint;
    auto a = action("url: " + endpoint.server.url() + "/ping/abc-123?rid=7\n");
    CHECK(a->execute(startup(), context()).ok);
    CHECK(a->execute(cycle(0), context()).ok);
    CHECK(a->execute(cycle(2), context()).ok);
    const auto hits = endpoint.all();
    REQUIRE(hits.size() == 3);
    CHECK(hits[0].method == "GET");
    CHECK(hits[0].path == "/ping/abc-123/start?rid=7");
    CHECK(hits[1].path == "/ping/abc-123?rid=7");
    CHECK(hits[2].path == "/ping/abc-123/fail?rid=7");
}

TEST_CASE("POST sends a one-line summary; fail_url and start_url replace the derived ones (Uptime Kuma push)") {
    Recorder endpoint;
    const std::string base = endpoint.server.url() + "/api/push/TOKEN";
    auto a = action("url: " + base + "?status=up\nmethod: POST\nfail_url: " + base + "?status=down\nstart_url: " + base +
                    "?status=up&msg=start\n");
    Event failing = cycle(1);
    failing.checks.resize(2);
    failing.checks[0].health = Health::Failing;
    a->execute(startup(), context());
    a->execute(failing, context());
    const auto hits = endpoint.all();
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].path == "/api/push/TOKEN?status=up&msg=start");
    CHECK(hits[1].method == "POST");
    CHECK(hits[1].path == "/api/push/TOKEN?status=down");
    CHECK(hits[1].body == "station: 2 checks, 1 failing; an incident is open");
}

TEST_CASE("an endpoint that is down or slow: one attempt per ping within the timeout, only the first failure in a row is a failure") {
    Recorder endpoint;
    endpoint.delay = 1s;
    auto a = action("url: " + endpoint.server.url() + "/slow\ntimeout: 200ms\n");
    const auto began = std::chrono::steady_clock::now();
    const Outcome first = a->execute(cycle(0), context());
    CHECK(std::chrono::steady_clock::now() - began < 900ms);
    CHECK_FALSE(first.ok);
    CHECK(first.summary.find("within 200 ms") != std::string::npos);
    CHECK(first.summary.find("/slow") == std::string::npos);  // the path may hold the check's secret
    const Outcome second = a->execute(cycle(0), context());
    CHECK(second.ok);
    CHECK(second.summary.find("failed again (2 in a row)") != std::string::npos);
    CHECK(endpoint.all().size() == 2);  // no retries

    const int port = freeLoopbackPort();
    auto refused = action("url: http://127.0.0.1:" + std::to_string(port) + "/x\n");
    const Outcome down = refused->execute(cycle(0), context());
    CHECK_FALSE(down.ok);
    CHECK(down.summary.find("cannot reach http://127.0.0.1:" + std::to_string(port)) != std::string::npos);

    endpoint.delay = 0ms;
    endpoint.status = 404;
    auto notFound = action("url: " + endpoint.server.url() + "/gone\n");
    const Outcome answered = notFound->execute(cycle(0), context());
    CHECK_FALSE(answered.ok);
    CHECK(answered.summary.find("answered HTTP 404") != std::string::npos);
}

TEST_CASE("dry run says what it would ping and sends nothing") {
    Recorder endpoint;
    auto a = action("url: " + endpoint.server.url() + "/p\n");
    ActionContext ctx = context();
    ctx.dryRun = true;
    const Outcome o = a->execute(cycle(1), ctx);
    CHECK(o.ok);
    CHECK(o.summary.find("would ping fail") != std::string::npos);
    CHECK(endpoint.all().empty());
}
