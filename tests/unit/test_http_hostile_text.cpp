// Text the status server does not control (check summaries with mount names and stream titles,
// error texts) and clients that guess tokens: what reaches the log, /status and /metrics.
#include "FakeEngineStatus.h"
#include "SampleStatusServer.h"
#include "http/LogThrottle.h"
#include "http/StatusServer.h"
#include "http/TextEscaping.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <doctest/doctest.h>

#include <mutex>
#include <stdexcept>

using namespace watchdog;
using namespace std::chrono_literals;
using watchdog::test::FakeEngineStatus;

namespace {

// Everything a hostile Icecast server could put in a mount name or stream title: a newline and a
// carriage return that start a forged log line, a terminal escape, DEL, the C1 CSI, a line
// separator, a right-to-left override, and a byte that is not UTF-8.
const std::string hostile = "live\n2026-01-01 00:00:00 [critical] forged\r\x1b[2J\x7f\xc2\x9b\xe2\x80\xa8\xe2\x80\xae\xff end";

std::pair<int, std::string> get(int port, const std::string& target, const std::string& token = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req("GET", target, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
    return {resp.getStatus(), body};
}

/// True if `text` holds no C0 control but newline, no DEL, and is valid UTF-8 with no C1 control.
bool inert(const std::string& text, bool newlinesAllowed) {
    for (std::size_t i = 0; i < text.size();) {
        char32_t c = 0;
        const std::size_t n = decodeUtf8(text, i, c);
        if (n == 0) return false;
        if (isUnsafeCodePoint(c) && !(newlinesAllowed && c == '\n')) return false;
        i += n;
    }
    return true;
}

/// Collects every message logged under "watchdog.http" while it lives.
class CapturedLog {
public:
    CapturedLog() : logger_(Poco::Logger::get("watchdog.http")), previous_(logger_.getChannel()), level_(logger_.getLevel()) {
        logger_.setChannel(channel_);
        logger_.setLevel(Poco::Message::PRIO_TRACE);
    }
    ~CapturedLog() {
        logger_.setChannel(previous_);
        logger_.setLevel(level_);
    }
    std::vector<std::string> lines() {
        std::lock_guard<std::mutex> lock(channel_->mutex);
        return channel_->lines;
    }

private:
    struct Channel : Poco::Channel {
        void log(const Poco::Message& msg) override {
            std::lock_guard<std::mutex> lock(mutex);
            lines.push_back(msg.getText());
        }
        std::mutex mutex;
        std::vector<std::string> lines;
    };
    Poco::Logger& logger_;
    Poco::AutoPtr<Channel> channel_{new Channel};
    Poco::Channel::Ptr previous_;
    int level_;
};

/// An engine whose snapshot fails with a message carrying a forged log line.
class BrokenEngine : public FakeEngineStatus {
public:
    StatusSnapshot snapshot() const override { throw std::runtime_error("database said: " + hostile); }
};

struct Server {
    std::unique_ptr<StatusServer> server;
    Server(EngineStatus& engine, const std::string& token = "") : server(test::startStatusServer(engine, token)) {}
    int port() const { return server->port(); }
};

}  // namespace

TEST_CASE("escapeForLog shows control characters, separators, bidi overrides and bad bytes as escapes, and keeps other text") {
    CHECK(escapeForLog(hostile) == "live\\n2026-01-01 00:00:00 [critical] forged\\r\\x1b[2J\\x7f\\u009b\\u2028\\u202e\\xff end");
    CHECK(escapeForLog("Radio Bézier – 東京 \\ \"live\"") == "Radio Bézier – 東京 \\ \"live\"");
    CHECK(escapeForLog("\xc0\xaf overlong, \xed\xa0\x80 surrogate, \xe2\x82 cut") ==
          "\\xc0\\xaf overlong, \\xed\\xa0\\x80 surrogate, \\xe2\\x82 cut");
    CHECK(escapeForLog("tab\there") == "tab\\there");
}

TEST_CASE("escapeJsonText escapes what Poco leaves raw in JSON strings and replaces bytes that are not UTF-8") {
    CHECK(escapeJsonText("{\"s\":\"a\x7f\xc2\x85\xe2\x80\xa9\xff b\"}") == "{\"s\":\"a\\u007f\\u0085\\u2029\\ufffd b\"}");
    CHECK(escapeJsonText("{\"s\":\"Bézier \\u001B\"}") == "{\"s\":\"Bézier \\u001B\"}");
}

TEST_CASE("hostile text in a summary, a label and a detail reaches /status as inert JSON that reads back as the text") {
    FakeEngineStatus engine;
    auto s = test::sampleStation(std::chrono::system_clock::now());
    s.checks[0].snapshot.label = hostile;
    s.checks[0].snapshot.last.summary = hostile;
    s.checks[0].snapshot.last.details = {{hostile, hostile}};
    engine.setStatus(s);
    Server server(engine);
    auto [status, body] = get(server.port(), "/status");
    REQUIRE(status == 200);
    CHECK(inert(body, false));
    auto root = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    auto check = root->getArray("checks")->getObject(0);
    // What a JSON reader gets back: the same text, with the byte that was not UTF-8 as U+FFFD.
    const std::string readBack = "live\n2026-01-01 00:00:00 [critical] forged\r\x1b[2J\x7f\xc2\x9b\xe2\x80\xa8\xe2\x80\xae\xef\xbf\xbd end";
    CHECK(check->getValue<std::string>("label") == readBack);
    CHECK(check->getObject("last")->getValue<std::string>("summary") == readBack);
    CHECK(check->getObject("last")->getObject("details")->getValue<std::string>(readBack) == readBack);
}

TEST_CASE("hostile text in an incident's event reaches /timeline as inert JSON; an open incident lasts until now") {
    FakeEngineStatus engine;
    const auto now = std::chrono::system_clock::now();
    auto s = test::sampleStation(now);
    s.rules[0].incident = "failover-1";
    engine.setStatus(s);
    Record r;
    r.kind = RecordKind::Event;
    r.time = now - 10min;
    r.event.type = EventType::Warning;
    r.event.time = r.time;
    r.event.rule = "failover";
    r.event.incident = "failover-1";
    r.event.summary = hostile;
    engine.setHistory({r});
    Server server(engine);
    auto [status, body] = get(server.port(), "/timeline");
    REQUIRE(status == 200);
    CHECK(inert(body, false));
    auto root = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    auto incident = root->getArray("incidents")->getObject(0);
    CHECK(incident->getValue<bool>("open"));
    CHECK(incident->getValue<std::string>("outcome") == "open");
    CHECK(incident->getValue<long>("duration_seconds") >= 600);
    CHECK(incident->getArray("events")->getObject(0)->getValue<std::string>("summary") ==
          "live\n2026-01-01 00:00:00 [critical] forged\r\x1b[2J\x7f\xc2\x9b\xe2\x80\xa8\xe2\x80\xae\xef\xbf\xbd end");
    engine.setHistoryAvailable(false);
    CHECK(get(server.port(), "/timeline").first == 503);
}

TEST_CASE("hostile text in a label reaches /metrics as one escaped, valid UTF-8 label value") {
    FakeEngineStatus engine;
    auto s = test::sampleStation(std::chrono::system_clock::now());
    s.checks[0].snapshot.label = hostile;
    engine.setStatus(s);
    Server server(engine);
    auto [status, body] = get(server.port(), "/metrics");
    REQUIRE(status == 200);
    CHECK(inert(body, true));
    CHECK(body.find(
              "label=\"live\\n2026-01-01 00:00:00 [critical] forged\\\\r\\\\x1b[2J\\\\x7f\\\\u009b\\\\u2028\\\\u202e\xef\xbf\xbd end\"") !=
          std::string::npos);
}

TEST_CASE("an error carrying a forged log line is logged as one line and answered as inert JSON") {
    CapturedLog log;
    BrokenEngine engine;
    Server server(engine);
    auto [status, body] = get(server.port(), "/status");
    CHECK(status == 500);
    CHECK(inert(body, false));
    server.server->stop();
    std::vector<std::string> errors;
    for (const auto& line : log.lines())
        if (line.find("database said") != std::string::npos) errors.push_back(line);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] ==
          "GET /status: database said: live\\n2026-01-01 00:00:00 [critical] forged\\r\\x1b[2J\\x7f\\u009b\\u2028\\u202e\\xff end");
}

TEST_CASE("refused tokens are logged five a minute; the rest are counted, and the count is logged when the server stops") {
    CapturedLog log;
    FakeEngineStatus engine;
    engine.setStatus(test::sampleStation(std::chrono::system_clock::now()));
    Server server(engine, "the-right-token");
    for (int i = 0; i < 12; ++i) CHECK(get(server.port(), "/status", "guess-" + std::to_string(i)).first == 401);
    CHECK(get(server.port(), "/status", "the-right-token").first == 200);
    server.server->stop();
    std::vector<std::string> refusals;
    for (const auto& line : log.lines())
        if (line.find("401 for") != std::string::npos || line.find("refused") != std::string::npos) refusals.push_back(line);
    REQUIRE(refusals.size() == 6);
    for (int i = 0; i < 5; ++i) CHECK(refusals[static_cast<std::size_t>(i)] == "401 for GET /status from 127.0.0.1 (wrong token)");
    CHECK(refusals[5] == "7 more refused requests were not logged");
}

TEST_CASE("LogThrottle: the first lines of each minute pass, the next line to pass counts those left out") {
    auto now = std::chrono::steady_clock::time_point{} + 1h;
    LogThrottle throttle(2, std::chrono::minutes(1), "refused request", [&] { return now; });
    CHECK(throttle.admit("a") == std::optional<std::string>("a"));
    CHECK(throttle.admit("b") == std::optional<std::string>("b"));
    CHECK_FALSE(throttle.admit("c").has_value());
    now += 59s;
    CHECK_FALSE(throttle.admit("d").has_value());
    now += 1s;
    CHECK(throttle.admit("e") == std::optional<std::string>("e (2 more refused requests since the previous line were not logged)"));
    CHECK(throttle.admit("f") == std::optional<std::string>("f"));
    CHECK_FALSE(throttle.leftOut().has_value());
    CHECK_FALSE(throttle.admit("g").has_value());
    CHECK(throttle.leftOut() == std::optional<std::string>("1 more refused request was not logged"));
    CHECK_FALSE(throttle.leftOut().has_value());
}
