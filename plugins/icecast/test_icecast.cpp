// Unit tests: parsing /admin/stats bodies and judging them, option validation.
#include "icecast_check.h"
#include "icecast_stats.h"

#include "config/ConfigNode.h"
#include "watchdog/ConfigError.h"

#include <doctest/doctest.h>

#include <string>

using namespace watchdog;

namespace {

// doctest would find watchdog::toString(Status) (returning const char*) by ADL and fail to print it.
std::string statusOf(const Result& r) { return toString(r.status); }

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

std::string detail(const Result& r, const std::string& key) {
    for (const auto& [k, v] : r.details)
        if (k == key) return v;
    return "<none>";
}

void configure(IcecastCheck& check, const std::string& yaml) {
    auto root = parseYaml(yaml, "pipeline.yaml");
    Options opts(root, "checks.icecast", "/tmp");
    check.configure(opts);
    opts.rejectUnknownKeys();
}

std::string configError(const std::string& yaml) {
    IcecastCheck check;
    try {
        configure(check, yaml);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

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
    CHECK(detail(r, "/audio.ogg listeners") == "3");
    CHECK(detail(r, "/audio.ogg bitrate") == "499");  // ice-bitrate: the kbit/s figure a person expects
    CHECK(detail(r, "/audio.ogg audio_info") == "samplerate=44100;quality=10%2e0;channels=2");
    CHECK(detail(r, "/audio.ogg stream_start") == "2025-01-19T10:31:00+1100");
    CHECK(detail(r, "/video.ogg type") == "video/ogg");
    CHECK(detail(r, "server") == "Icecast 2.4.4");
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
    CHECK(detail(r, "/live") == "listed without a source (fallback stub)");

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
    CHECK(detail(ok, "/audio.ogg source_ip") == "192.0.2.21");
    CHECK(detail(ok, "/video.ogg type") == "<none>");

    Result missing = IcecastCheck::judge(stats, settingsFor("/live"));
    CHECK(statusOf(missing) == "fail");
    CHECK(missing.summary == "no source on /live (connected: /audio.ogg, /video.ogg)");
    CHECK(missing.value == 0);
}

TEST_CASE("odd listener counts do not break the summary") {
    std::string body = "<icestats><source mount=\"/live\"><listeners>99999999999999999999999</listeners>"
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
    CHECK(reason("<?xml version=\"1.0\"?>\n<icestats><sources>1</sources>") .rfind("malformed stats XML", 0) == 0);
    std::string xxe = "<?xml version=\"1.0\"?><!DOCTYPE icestats [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
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
    IcecastStats stats = parseIcecastStats("<icestats><server_id>Icecast <b>2.4.4</b></server_id><server_id>other</server_id>"
                                           "<source mount=\"/a\"><listeners>7</listeners><listeners>9</listeners></source></icestats>");
    CHECK(stats.serverId == "Icecast 2.4.4");
    REQUIRE(stats.mounts.size() == 1);
    CHECK(stats.mounts[0].listeners == "7");
    CHECK_FALSE(stats.mounts[0].connected);
}

TEST_CASE("a huge stats body with thousands of mounts parses and counts them") {
    std::string body = "<?xml version=\"1.0\"?>\n<icestats><sources>5000</sources>";
    for (int i = 0; i < 5000; ++i)
        body += "<source mount=\"/m" + std::to_string(i) + "\"><listeners>1</listeners><source_ip>10.0.0.1</source_ip>"
                "<title>" + std::string(200, 'x') + "</title></source>";
    body += "</icestats>";
    IcecastStats stats = parseIcecastStats(body);
    CHECK(stats.connected().size() == 5000);
    Result r = IcecastCheck::judge(stats, settingsFor("/m4999"));
    CHECK(r.summary == "source connected to /m4999 (1 listener)");
}

TEST_CASE("options are read once with defaults") {
    IcecastCheck check;
    configure(check, "url: https://radio.example:8443/ice/\npassword: hunter2\nmount: /live\n");
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
    CHECK(configError("url: http://x:8000\npassword: x\nmin_sources: two\n").rfind("pipeline.yaml:3:14: checks.icecast.min_sources:", 0) == 0);
    CHECK(configError("url: http://x:8000\npassword: x\nmin_sources: 0\n").rfind("pipeline.yaml:3:14: checks.icecast.min_sources:", 0) == 0);
    CHECK(configError("url: http://x:8000\npassword: x\nmount: /live\nmin_sources: 2\n").rfind("pipeline.yaml:4:14: checks.icecast.min_sources: does not apply", 0) == 0);
    CHECK(configError("url: http://x:8000\npassword: x\nca_file: /nonexistent.pem\n") ==
          "pipeline.yaml:3:10: checks.icecast.ca_file: only applies to an https:// url");
    CHECK(configError("url: https://x:8000\npassword: x\nca_file: /nonexistent.pem\n") ==
          "pipeline.yaml:3:10: checks.icecast.ca_file: cannot read '/nonexistent.pem'");
    CHECK(configError("url: http://x:8000\npassword: x\nmin_source: 2\n") == "pipeline.yaml:3:1: checks.icecast: unknown option 'min_source' (did you mean 'min_sources'?)");
}

TEST_CASE("a config error never echoes the password") {
    std::string e = configError("url: http://x:8000\npassword: [hunter2]\n");
    CHECK(e.rfind("pipeline.yaml:2:11: checks.icecast.password:", 0) == 0);
    CHECK(e.find("hunter2") == std::string::npos);
}
