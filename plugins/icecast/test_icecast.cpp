// Unit tests: parsing /admin/stats bodies and judging them, option validation.
#include "IcecastCheck.h"
#include "IcecastStats.h"

#include "DetailOf.h"

#include <watchdog/testing/PluginTestKit.h>
#include <watchdog/ConfigError.h>

#include <doctest/doctest.h>

#include <string>

using namespace watchdog;
using namespace watchdog::icecast;
using namespace watchdog::testing;
using watchdog::test::detailOf;

namespace {

// protocols.md 1.3: abridged from Icecast 2.4.4's doc/server-stats.html, two connected sources.
const std::string kTwoSources = R"(<?xml version="1.0"?>
<icestats>
  <admin>icemaster@localhost</admin>
  <client_connections>649</client_connections>
  <clients>2</clients>
  <host>localhost</host>
  <listeners>0</listeners>
  <server_id>Icecast 2.4.4</server_id>
  <server_start_iso8601>2025-01-19T10:30:59+1100</server_start_iso8601>
  <sources>2</sources>
  <source mount="/audio.ogg">
    <artist>Ace of Base</artist>
    <audio_bitrate>499821</audio_bitrate>
    <audio_info>samplerate=44100;quality=10%2e0;channels=2</audio_info>
    <ice-bitrate>499</ice-bitrate>
    <listeners>3</listeners>
    <listenurl>http://localhost:8000/audio.ogg</listenurl>
    <server_type>application/ogg</server_type>
    <source_ip>192.0.2.21</source_ip>
    <stream_start>Sun, 19 Jan 2025 10:31:00 +1100</stream_start>
    <stream_start_iso8601>2025-01-19T10:31:00+1100</stream_start_iso8601>
    <title>All that she wants &amp; more</title>
  </source>
  <source mount="/video.ogg">
    <listeners>0</listeners>
    <server_type>video/ogg</server_type>
    <source_ip>192.0.2.22</source_ip>
    <stream_start_iso8601>2025-01-19T10:32:00+1100</stream_start_iso8601>
  </source>
</icestats>
)";

// protocols.md 1.5: zero mounts (PawTunes#10) plus a fallback stub for a configured /live.
const std::string kNoSourceWithStub = R"(<?xml version="1.0"?>
<icestats><admin>a@b</admin><server_id>Icecast 2.4.4</server_id><sources>0</sources>
<source mount="/live"><listenurl>http://localhost:8000/live</listenurl><listeners>0</listeners><max_listeners>unlimited</max_listeners></source>
</icestats>
)";

IcecastSettings settingsFor(const std::string& mount = "", int minSources = 1) {
    IcecastSettings s;
    s.host = "127.0.0.1";
    s.port = 8000;
    s.mount = mount;
    s.minSources = minSources;
    return s;
}

std::string configError(const std::string& yaml) { return watchdog::testing::configError<IcecastCheck>(yaml, "checks.icecast"); }

}  // namespace

TEST_CASE("two connected sources pass with their names, count and per-mount details") {
    IcecastStats stats = parseIcecastStats(kTwoSources);
    REQUIRE(stats.mounts.size() == 2);
    CHECK(stats.globalSources == 2);
    Result r = IcecastCheck::judge(stats, settingsFor());
    CHECK(statusOf(r) == "pass");
    CHECK(r.summary == "2 sources connected (/audio.ogg, /video.ogg)");
    CHECK(r.value == 2);
    CHECK(r.unit == "sources");
    CHECK(detailOf(r.details, "/audio.ogg listeners") == "3");
    CHECK(detailOf(r.details, "/audio.ogg bitrate") == "499");  // ice-bitrate: the kbit/s figure a person expects
    CHECK(detailOf(r.details, "/audio.ogg audio_info") == "samplerate=44100;quality=10%2e0;channels=2");
    CHECK(detailOf(r.details, "/audio.ogg stream_start") == "2025-01-19T10:31:00+1100");
    CHECK(detailOf(r.details, "/video.ogg type") == "video/ogg");
    CHECK(detailOf(r.details, "server") == "Icecast 2.4.4");
}

TEST_CASE("fewer sources than min_sources fail and say how many are needed") {
    Result r = IcecastCheck::judge(parseIcecastStats(kTwoSources), settingsFor("", 3));
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "2 sources connected (/audio.ogg, /video.ogg), need 3");
}

TEST_CASE("a fallback stub without source_ip or stream_start is not a connected source") {
    IcecastStats stats = parseIcecastStats(kNoSourceWithStub);
    REQUIRE(stats.mounts.size() == 1);
    CHECK_FALSE(stats.mounts[0].connected);
    Result r = IcecastCheck::judge(stats, settingsFor());
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "0 sources connected (need 1)");
    CHECK(r.value == 0);
    CHECK(detailOf(r.details, "/live") == "listed without a source (fallback stub)");

    Result m = IcecastCheck::judge(stats, settingsFor("/live"));
    CHECK(statusOf(m) == "fail");
    CHECK(m.summary == "no source on /live (listed as a fallback stub, 0 sources connected)");
}

TEST_CASE("with mount, only that mount counts") {
    IcecastStats stats = parseIcecastStats(kTwoSources);
    Result ok = IcecastCheck::judge(stats, settingsFor("/audio.ogg"));
    CHECK(statusOf(ok) == "pass");
    CHECK(ok.summary == "source connected to /audio.ogg (3 listeners)");
    CHECK(ok.value == 1);
    CHECK(detailOf(ok.details, "/audio.ogg source_ip") == "192.0.2.21");
    CHECK(detailOf(ok.details, "/video.ogg type") == "<none>");

    Result missing = IcecastCheck::judge(stats, settingsFor("/live"));
    CHECK(statusOf(missing) == "fail");
    CHECK(missing.summary == "no source on /live (connected: /audio.ogg, /video.ogg)");
    CHECK(missing.value == 0);
}

TEST_CASE("odd listener counts do not break the summary") {
    std::string body =
        "<icestats><source mount=\"/live\"><listeners>99999999999999999999999</listeners>"
        "<source_ip>1.2.3.4</source_ip></source></icestats>";
    CHECK(IcecastCheck::judge(parseIcecastStats(body), settingsFor("/live")).summary == "source connected to /live");
}

TEST_CASE("bodies that are not usable stats XML give a short reason") {
    auto reason = [](const std::string& body) {
        try {
            parseIcecastStats(body);
        } catch (const IcecastStatsError& e) {
            return std::string(e.what());
        }
        return std::string("parsed");
    };
    CHECK(reason("") == "empty body instead of stats XML");
    CHECK(reason("  \r\n") == "empty body instead of stats XML");
    CHECK(reason("You need to authenticate\r\n") == "not XML: \"You need to authenticate  \"");
    CHECK(reason(kTwoSources.substr(0, kTwoSources.size() / 2)).rfind("malformed stats XML (", 0) == 0);
    CHECK(reason("<html><body>It works</body></html>") == "stats XML has root <html>, expected <icestats>");
    CHECK(reason("<?xml version=\"1.0\"?>\n<icestats><sources>1</sources>").rfind("malformed stats XML", 0) == 0);
    std::string xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE icestats [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        "<icestats><server_id>&x;</server_id></icestats>";
    CHECK(reason(xxe).find("root:") == std::string::npos);
}

namespace {

// <icestats><source mount="/live"><source_ip>1.2.3.4</source_ip><x><x>...</x></x></source></icestats>, `levels` deep in all.
std::string nestedStats(int levels) {
    const int inner = levels - 2;
    std::string body = "<?xml version=\"1.0\"?>\n<icestats><source mount=\"/live\"><source_ip>1.2.3.4</source_ip>";
    for (int i = 0; i < inner; ++i) body += "<x>";
    for (int i = 0; i < inner; ++i) body += "</x>";
    return body + "</source></icestats>";
}

}  // namespace

TEST_CASE("stats XML nested 200k levels deep is refused with the reason instead of crashing") {
    const std::string body = nestedStats(200000);
    CHECK(body.size() > 1000000);
    CHECK_THROWS_WITH_AS(parseIcecastStats(body), "stats XML nested deeper than 64 levels", IcecastStatsError);
    // Past the limit by one is refused too; the real stats (3 levels) and anything up to 64 parse.
    CHECK_THROWS_WITH_AS(parseIcecastStats(nestedStats(kMaxStatsXmlDepth + 1)), "stats XML nested deeper than 64 levels",
                         IcecastStatsError);
    IcecastStats stats = parseIcecastStats(nestedStats(kMaxStatsXmlDepth));
    REQUIRE(stats.mounts.size() == 1);
    CHECK(stats.mounts[0].connected);
}

TEST_CASE("the first of a repeated element counts and nested text is read whole") {
    IcecastStats stats = parseIcecastStats(
        "<icestats><server_id>Icecast <b>2.4.4</b></server_id><server_id>other</server_id>"
        "<source mount=\"/a\"><listeners>7</listeners><listeners>9</listeners></source></icestats>");
    CHECK(stats.serverId == "Icecast 2.4.4");
    REQUIRE(stats.mounts.size() == 1);
    CHECK(stats.mounts[0].listeners == "7");
    CHECK_FALSE(stats.mounts[0].connected);
}

TEST_CASE("a huge stats body with thousands of mounts parses and counts them") {
    std::string body = "<?xml version=\"1.0\"?>\n<icestats><sources>5000</sources>";
    for (int i = 0; i < 5000; ++i)
        body += "<source mount=\"/m" + std::to_string(i) +
                "\"><listeners>1</listeners><source_ip>10.0.0.1</source_ip>"
                "<title>" +
                std::string(200, 'x') + "</title></source>";
    body += "</icestats>";
    IcecastStats stats = parseIcecastStats(body);
    CHECK(stats.connected().size() == 5000);
    Result r = IcecastCheck::judge(stats, settingsFor("/m4999"));
    CHECK(r.summary == "source connected to /m4999 (1 listener)");
}

TEST_CASE("options are read once with defaults") {
    IcecastCheck check;
    configureFrom(check, "url: https://radio.example:8443/ice/\npassword: hunter2\nmount: /live\n", "checks.icecast");
    const auto& s = check.settings();
    CHECK(s.scheme == "https");
    CHECK(s.host == "radio.example");
    CHECK(s.port == 8443);
    CHECK(s.statsPath == "/ice/admin/stats");
    CHECK(s.user == "admin");
    CHECK(s.mount == "/live");
    CHECK(s.minSources == 1);
    CHECK(s.maxBody == (8ULL << 20));
    CHECK(s.endpoint() == "radio.example:8443");
}

TEST_CASE("wrong options are config errors with file:line:col") {
    CHECK(configError("user: admin\npassword: x\n") == "pipeline.yaml:1:1: checks.icecast.url: required option is missing");
    CHECK(configError("url: ftp://x\npassword: x\n") ==
          "pipeline.yaml:1:6: checks.icecast.url: must start with http:// or https:// (e.g. http://127.0.0.1:8000)");
    CHECK(configError("url: http://admin:pw@x:8000\npassword: x\n") ==
          "pipeline.yaml:1:6: checks.icecast.url: must not carry credentials: use user and password");
    CHECK(configError("url: http://x:8000\n") == "pipeline.yaml:1:1: checks.icecast.password: required option is missing");
    CHECK(configError("url: http://x:8000\npassword: x\nmount: live\n") ==
          "pipeline.yaml:3:8: checks.icecast.mount: must start with '/' (e.g. /live)");
    CHECK(configError("url: http://x:8000\npassword: x\nmin_sources: two\n").rfind("pipeline.yaml:3:14: checks.icecast.min_sources:", 0) ==
          0);
    CHECK(configError("url: http://x:8000\npassword: x\nmin_sources: 0\n").rfind("pipeline.yaml:3:14: checks.icecast.min_sources:", 0) ==
          0);
    CHECK(configError("url: http://x:8000\npassword: x\nmount: /live\nmin_sources: 2\n")
              .rfind("pipeline.yaml:4:14: checks.icecast.min_sources: does not apply", 0) == 0);
    CHECK(configError("url: http://x:8000\npassword: x\nca_file: /nonexistent.pem\n") ==
          "pipeline.yaml:3:10: checks.icecast.ca_file: only applies to an https:// url");
    CHECK(configError("url: https://x:8000\npassword: x\nca_file: /nonexistent.pem\n") ==
          "pipeline.yaml:3:10: checks.icecast.ca_file: cannot read '/nonexistent.pem'");
    CHECK(configError("url: http://x:8000\npassword: x\nmin_source: 2\n") ==
          "pipeline.yaml:3:1: checks.icecast: unknown option 'min_source' (did you mean 'min_sources'?)");
}

TEST_CASE("a config error never echoes the password") {
    std::string e = configError("url: http://x:8000\npassword: [hunter2]\n");
    CHECK(e.rfind("pipeline.yaml:2:11: checks.icecast.password:", 0) == 0);
    CHECK(e.find("hunter2") == std::string::npos);
}

namespace {

// One connected mount, as Icecast 2.4 lists it, with the fields the flow reads.
IcecastStats liveStats(const std::string& bytes, const std::string& streamStart = "2025-01-19T10:31:00+1100",
                       const std::string& sourceIp = "192.0.2.21") {
    return parseIcecastStats(
        "<icestats><server_id>Icecast 2.4.4</server_id><sources>1</sources><source mount=\"/live\">"
        "<listeners>3</listeners><source_ip>" +
        sourceIp + "</source_ip><stream_start_iso8601>" + streamStart + "</stream_start_iso8601>" +
        (bytes.empty() ? std::string() : "<total_bytes_read>" + bytes + "</total_bytes_read>") + "</source></icestats>");
}

using FlowClock = IcecastFlow::Clock;

}  // namespace

TEST_CASE("the read rate is the change of total_bytes_read over at least 6 s, measured from the second run on") {
    IcecastFlow flow;
    const auto t0 = FlowClock::time_point{} + std::chrono::hours(1);
    auto first = flow.observe(liveStats("1000"), t0);
    REQUIRE(first.count("/live") == 1);
    CHECK_FALSE(first["/live"].kbps);
    CHECK(first["/live"].bytesReported);
    CHECK(first["/live"].reconnects == 0);

    // Icecast refreshes the counter every 5 s: a run 2 s later cannot tell a stall from a healthy source.
    CHECK_FALSE(flow.observe(liveStats("1000"), t0 + std::chrono::seconds(2))["/live"].kbps);

    // 7 s after the first run: 112000 bytes more is 128 kbit/s.
    auto later = flow.observe(liveStats("113000"), t0 + std::chrono::seconds(7));
    REQUIRE(later["/live"].kbps);
    CHECK(*later["/live"].kbps == doctest::Approx(128.0));
    CHECK(later["/live"].window == std::chrono::seconds(7));

    // Runs every second after that compare with the newest run at least 6 s back.
    auto next = flow.observe(liveStats("113000"), t0 + std::chrono::seconds(8));
    REQUIRE(next["/live"].kbps);
    CHECK(*next["/live"].kbps == doctest::Approx(112000.0 * 8 / 1000 / 6));  // against the run at 2 s
    // Nothing read for 6 s: 0 kbit/s, a connected but stalled source.
    auto stalled = flow.observe(liveStats("113000"), t0 + std::chrono::seconds(14));
    REQUIRE(stalled["/live"].kbps);
    CHECK(*stalled["/live"].kbps == 0.0);
}

TEST_CASE("a new stream_start, or a counter that went back, is a reconnect; the rate starts over") {
    IcecastFlow flow;
    const auto t0 = FlowClock::time_point{} + std::chrono::hours(1);
    flow.observe(liveStats("1000", "2025-01-19T10:31:00+1100"), t0);
    auto again = flow.observe(liveStats("500000", "2025-01-19T10:40:00+1100"), t0 + std::chrono::seconds(10));
    CHECK(again["/live"].reconnects == 1);
    REQUIRE(again["/live"].reconnectedFrom);
    CHECK(*again["/live"].reconnectedFrom == "2025-01-19T10:31:00+1100");
    CHECK_FALSE(again["/live"].kbps);

    // The source went away between runs and came back: the mount was missing from one run.
    flow.observe(IcecastStats{}, t0 + std::chrono::seconds(20));
    auto back = flow.observe(liveStats("2000", "2025-01-19T10:41:00+1100"), t0 + std::chrono::seconds(30));
    CHECK(back["/live"].reconnects == 2);

    // The same second, a fresh counter: a reconnect stream_start cannot show.
    auto quick = flow.observe(liveStats("100", "2025-01-19T10:41:00+1100"), t0 + std::chrono::seconds(40));
    CHECK(quick["/live"].reconnects == 3);
    auto steady = flow.observe(liveStats("200000", "2025-01-19T10:41:00+1100"), t0 + std::chrono::seconds(50));
    CHECK(steady["/live"].reconnects == 3);
    CHECK_FALSE(steady["/live"].reconnectedFrom);
    REQUIRE(steady["/live"].kbps);
}

TEST_CASE(
    "judged with its flow: the rate, source_ip and reconnects are details; min_kbps and expect_source_ip fail naming what was found") {
    IcecastSettings s = settingsFor("/live");
    MountFlow flowing;
    flowing.kbps = 127.94;
    flowing.bytesReported = true;
    flowing.reconnects = 2;
    flowing.reconnectedFrom = "2025-01-19T10:30:00+1100";
    std::map<std::string, MountFlow> flows{{"/live", flowing}};

    Result ok = IcecastCheck::judge(liveStats("1"), s, flows);
    CHECK(statusOf(ok) == "pass");
    CHECK(ok.summary == "source connected to /live (3 listeners, 128 kbit/s)");
    CHECK(detailOf(ok.details, "/live read_kbps") == "128");
    CHECK(detailOf(ok.details, "/live source_ip") == "192.0.2.21");
    CHECK(detailOf(ok.details, "/live reconnects") == "2");
    CHECK(detailOf(ok.details, "/live reconnected") == "since the previous run (stream_start was 2025-01-19T10:30:00+1100)");

    s.minKbps = 64;
    flows["/live"].kbps = 0;
    Result stalled = IcecastCheck::judge(liveStats("1"), s, flows);
    CHECK(statusOf(stalled) == "fail");
    CHECK(stalled.summary == "/live receives 0 kbit/s from its source (min_kbps 64)");
    CHECK(stalled.value == 1);  // still connected: the value stays the number of sources

    flows["/live"].kbps.reset();  // still measuring: min_kbps cannot judge yet
    flows["/live"].reconnectedFrom.reset();
    Result measuring = IcecastCheck::judge(liveStats("1"), s, flows);
    CHECK(statusOf(measuring) == "pass");
    CHECK(detailOf(measuring.details, "/live read_kbps") == "measuring");
    CHECK(detailOf(measuring.details, "/live reconnected") == "<none>");

    s.expectSourceIp = "10.0.0.2";
    Result wrongEncoder = IcecastCheck::judge(liveStats("1"), s, flows);
    CHECK(statusOf(wrongEncoder) == "fail");
    CHECK(wrongEncoder.summary == "/live is fed from 192.0.2.21, not 10.0.0.2 (expect_source_ip)");
    s.expectSourceIp = "192.0.2.21";
    CHECK(statusOf(IcecastCheck::judge(liveStats("1", "x", "::ffff:192.0.2.21"), s, flows)) == "pass");

    // Without mount, every connected mount is held to the same expectations.
    IcecastSettings all = settingsFor();
    all.minKbps = 64;
    std::map<std::string, MountFlow> two{{"/audio.ogg", flowing}, {"/video.ogg", flowing}};
    two["/video.ogg"].kbps = 3.2;
    Result partly = IcecastCheck::judge(parseIcecastStats(kTwoSources), all, two);
    CHECK(statusOf(partly) == "fail");
    CHECK(partly.summary ==
          "2 sources connected (/audio.ogg, /video.ogg), but /video.ogg receives 3.2 kbit/s from its source (min_kbps 64)");
}

TEST_CASE("reconnects and the read rate are metrics per mount as well as details; a rate still measuring is no metric") {
    MountFlow flowing;
    flowing.kbps = 127.94;
    flowing.bytesReported = true;
    flowing.reconnects = 2;
    MountFlow measuring;
    measuring.bytesReported = true;
    const std::map<std::string, MountFlow> flows{{"/audio.ogg", flowing}, {"/video.ogg", measuring}};
    const Result r = IcecastCheck::judge(parseIcecastStats(kTwoSources), settingsFor(), flows);
    REQUIRE(r.metrics.size() == 3);
    CHECK(r.metrics[0].name == "reconnects");
    CHECK(r.metrics[0].value == 2);
    CHECK(r.metrics[0].labels == Details{{"mount", "/audio.ogg"}});
    CHECK(r.metrics[1].name == "read_kbps");
    CHECK(r.metrics[1].value == doctest::Approx(127.94));
    CHECK(r.metrics[2].name == "reconnects");
    CHECK(r.metrics[2].value == 0);
    CHECK(r.metrics[2].labels == Details{{"mount", "/video.ogg"}});
}

TEST_CASE("min_kbps and expect_source_ip are validated") {
    IcecastCheck check;
    configureFrom(check, "url: http://x:8000\npassword: x\nmin_kbps: 48.5\nexpect_source_ip: ::FFFF:10.0.0.2\n", "checks.icecast");
    REQUIRE(check.settings().minKbps);
    CHECK(*check.settings().minKbps == 48.5);
    CHECK(check.settings().expectSourceIp == "10.0.0.2");
    CHECK(configError("url: http://x:8000\npassword: x\nmin_kbps: 0\n") ==
          "pipeline.yaml:3:11: checks.icecast.min_kbps: must be more than 0 (e.g. 64)");
    CHECK(configError("url: http://x:8000\npassword: x\nmin_kbps: fast\n").rfind("pipeline.yaml:3:11: checks.icecast.min_kbps:", 0) == 0);
    CHECK(configError("url: http://x:8000\npassword: x\nexpect_source_ip: 10.0.0.2 10.0.0.3\n") ==
          "pipeline.yaml:3:19: checks.icecast.expect_source_ip: must be one address, e.g. 10.0.0.2 (or a relay's host name)");
}
