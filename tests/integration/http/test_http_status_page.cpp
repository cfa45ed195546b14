// The status page as a person sees it: a real headless Chromium loads it from a StatusServer over a
// fake engine, runs its script, and we read the rendered DOM, the browser's console and a screenshot.
#include "SampleStatusServer.h"
#include "TestSupport.h"
#include "http/StatusServer.h"

#include <doctest/doctest.h>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/File.h>

#include <algorithm>
#include <iostream>
#include <sstream>

using namespace watchdog;

namespace {

std::string chromium() {
    std::string path = test::findProgram("chromium");
    if (path.empty()) path = test::findProgram("chromium-browser");
    REQUIRE_MESSAGE(!path.empty(), "chromium is not installed: apt-get install chromium (the status page test needs a real browser)");
    return path;
}

/// The sample station's status server, with the page's address.
struct Page : test::SampleStatusServer {
    using SampleStatusServer::SampleStatusServer;
    std::string url(const std::string& suffix = "") const { return "http://127.0.0.1:" + std::to_string(server->port()) + "/" + suffix; }
};

/// Runs headless Chromium on `url` with `extra` arguments; returns its stdout+stderr.
std::string runChromium(const test::TempDir& profile, const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> argv = {chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                                     "--user-data-dir=" + profile.path(), "--enable-logging=stderr", "--v=0",
                                     // Lets the page's fetches finish and its script settle before the DOM is read.
                                     "--virtual-time-budget=10000"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    auto [code, output] = test::runCommand(argv, std::chrono::seconds(60));
    INFO(output);
    REQUIRE(code == 0);
    return output;
}

/// The DOM Chromium renders for `url` (from a fresh profile), then its log.
std::string dumpDom(const std::string& url) {
    test::TempDir profile;
    return runChromium(profile, url, {"--dump-dom"});
}

/// test-artifacts/`name` under the build directory, its folder made and an older copy removed.
std::string artifactPath(const std::string& name) {
    Poco::File(test::buildDir() + "/test-artifacts").createDirectories();
    const std::string path = test::buildDir() + "/test-artifacts/" + name;
    Poco::File(path).exists() && (Poco::File(path).remove(), true);
    return path;
}

/// Chromium's log after it saved a screenshot of `url`, `size` pixels ("1280,900"), as `shot`.
std::string screenshot(const std::string& url, const std::string& shot, const std::string& size) {
    test::TempDir profile;
    return runChromium(profile, url, {"--screenshot=" + shot, "--window-size=" + size, "--hide-scrollbars"});
}

/// Console lines the page caused: uncaught exceptions and console.* calls are logged as CONSOLE(n).
std::vector<std::string> consoleErrors(const std::string& output) {
    std::vector<std::string> found;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line))
        if (line.find(":CONSOLE(") != std::string::npos || line.find("Uncaught") != std::string::npos) found.push_back(line);
    return found;
}

/// The rendered <body ...> start tag.
std::string bodyTag(const std::string& dom) {
    const auto start = dom.find("<body");
    if (start == std::string::npos) return {};
    return dom.substr(start, dom.find('>', start) - start + 1);
}

Record eventRecord(TimePoint t, EventType type, const std::string& summary) {
    Record r;
    r.kind = RecordKind::Event;
    r.time = t;
    r.pipeline = "station-eu";
    r.event.type = type;
    r.event.time = t;
    r.event.pipeline = "station-eu";
    r.event.rule = "failover";
    r.event.incident = "failover-1764000000000";
    r.event.summary = summary;
    return r;
}

/// The sample hour plus a failover incident two days ago (with its acknowledgement when the core has
/// that event) and icecast results from two days and three hours ago, so the windows differ.
std::vector<Record> historyWithIncident(TimePoint now) {
    using std::chrono::minutes;
    const TimePoint at = now - std::chrono::hours(48);
    std::vector<Record> out;
    for (auto ago : {std::chrono::hours(48), std::chrono::hours(3)}) {
        Record r;
        r.time = now - ago;
        r.pipeline = "station-eu";
        r.checkId = "icecast";
        r.checkLabel = "Icecast Sources";
        r.result = Result::fail("no source").withValue(0, "sources");
        out.push_back(r);
    }
    out.push_back(eventRecord(at, EventType::Warning, "2 of 4 checks failing; backup in 5 min"));
    if (auto ack = eventTypeFromString("acknowledged")) {
        Record r = eventRecord(at + minutes(2), *ack, "alice acknowledged the incident: on my way");
        r.event.details = {{"by", "alice"}, {"reason", "on my way"}};
        out.push_back(r);
    }
    out.push_back(eventRecord(at + minutes(5), EventType::Failover, "Still failing after 5 min: icecast, ts_age; running backup"));
    Record outcome = eventRecord(at + minutes(6), EventType::Outcome, "started i-0123456789abcdef0 at 203.0.113.7");
    outcome.event.action = "backup";
    out.push_back(outcome);
    out.push_back(eventRecord(at + minutes(8), EventType::Verified, "Backup on air after 3 min: Backup stream passes"));
    out.push_back(eventRecord(at + minutes(20), EventType::Recovered, "Recovered after 20 min"));
    out.push_back(eventRecord(at + minutes(35), EventType::Failback, "Healthy for 15 min since the recovery: failing back"));
    for (auto& r : test::sampleHistory(now)) out.push_back(std::move(r));
    return out;
}

/// data-axis-start of the first check card's time axis, as a time.
TimePoint axisStart(const std::string& dom) {
    const std::string key = "class=\"axis\" data-axis-start=\"";
    const auto at = dom.find(key);
    REQUIRE(at != std::string::npos);
    const std::string iso = dom.substr(at + key.size(), dom.find('"', at + key.size()) - at - key.size());
    int tz = 0;
    return Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, iso, tz).timestamp().epochMicroseconds() *
               std::chrono::microseconds(1) +
           TimePoint{};
}

}  // namespace

TEST_CASE("the status page loads in Chromium without console errors and shows every check and its state") {
    Page page;
    const std::string out = dumpDom(page.url());
    INFO(out);
    CHECK(consoleErrors(out).empty());
    // The page marks <body> with data-loaded after its first render and data-errors on any script error.
    CHECK(bodyTag(out) == "<body data-loaded=\"1\">");
    CHECK(out.find("<section class=\"card\" data-check=\"icecast\" data-state=\"passing\">") != std::string::npos);
    CHECK(out.find("<section class=\"card\" data-check=\"liquidsoap_cpu\" data-state=\"failing\">") != std::string::npos);
    CHECK(out.find("<section class=\"card\" data-check=\"ts_count\" data-state=\"passing\">") != std::string::npos);
    CHECK(out.find("<section class=\"card\" data-check=\"ts_age\" data-state=\"unknown\">") != std::string::npos);
    for (const char* label : {"Icecast Sources", "Liquidsoap CPU", "TS File Count", "HLS Old Files"})
        CHECK(out.find(std::string("<span class=\"label\">") + label + "</span>") != std::string::npos);
    CHECK(out.find("fail: liquidsoap uses 3.5% CPU (below 20%)") != std::string::npos);
    CHECK(out.find("3.5 %") != std::string::npos);
    CHECK(out.find("<div class=\"value\">1 source</div>") != std::string::npos);  // not "1 sources"
    CHECK(out.find("no result yet") != std::string::npos);
    // Charts drawn from /history: a value line and pass/fail marks for the checks with history.
    CHECK(out.find("<polyline") != std::string::npos);
    CHECK(out.find("class=\"mark fail\"") != std::string::npos);
    CHECK(out.find("class=\"mark pass\"") != std::string::npos);
    CHECK(out.find("<tr data-rule=\"failover\" data-state=\"pending\">") != std::string::npos);
    CHECK(out.find("station-eu") != std::string::npos);
    // The chart asks for every check's history at once (/timeline asks per check, for the uptime).
    const auto queries = page.engine.queries();
    CHECK(std::any_of(queries.begin(), queries.end(), [](const HistoryQuery& q) { return q.checkId.empty() && q.limit == 20000; }));
}

TEST_CASE("with a token the page takes it from #token= and shows the data; without it, it asks for one") {
    Page page("page-token-123");
    const std::string ok = dumpDom(page.url("#token=page-token-123"));
    CHECK(consoleErrors(ok).empty());
    CHECK(bodyTag(ok) == "<body data-loaded=\"1\">");
    CHECK(ok.find("data-check=\"liquidsoap_cpu\" data-state=\"failing\"") != std::string::npos);

    const std::string denied = dumpDom(page.url());
    CHECK(denied.find("<form id=\"token-form\" class=\"shown\">") != std::string::npos);
    CHECK(denied.find("cannot load status: a token is needed") != std::string::npos);
    CHECK(denied.find("data-check=") == std::string::npos);
}

TEST_CASE("labels and summaries are shown as text: markup is not run, control characters show as escapes") {
    Page page;
    auto station = test::sampleStation(std::chrono::system_clock::now());
    station.checks[0].snapshot.label = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">";
    station.checks[0].snapshot.last.summary = "live\n[critical] forged\x1b[2J\xe2\x80\xae end";
    page.engine.setStatus(station);
    const std::string out = dumpDom(page.url());
    INFO(out);
    CHECK(consoleErrors(out).empty());
    CHECK(bodyTag(out) == "<body data-loaded=\"1\">");
    CHECK(out.find("data-pwned=\"1\"") == std::string::npos);
    CHECK(out.find("<img") == std::string::npos);
    CHECK(out.find("<span class=\"label\">&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"&gt;</span>") !=
          std::string::npos);
    CHECK(out.find("pass: live\\u000a[critical] forged\\u001b[2J\\u202e end") != std::string::npos);
}

TEST_CASE("a screenshot of the status page is kept under the build directory") {
    Page page;
    const std::string shot = artifactPath("status-page.png");
    const std::string out = screenshot(page.url(), shot, "1280,900");
    CHECK(consoleErrors(out).empty());
    REQUIRE(Poco::File(shot).exists());
    CHECK(Poco::File(shot).getSize() > 20000);  // a blank 1280x900 PNG is a few KB; the rendered page is far more
    const std::string png = test::readFile(shot);
    CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    std::cout << "status page screenshot: " << shot << std::endl;
    MESSAGE("status page screenshot: " << shot);
}

TEST_CASE("the timeline shows the failover incident with its events, uptime per check, and the window links set the axis") {
    Page page;
    const auto now = std::chrono::system_clock::now();
    page.engine.setHistory(historyWithIncident(now));
    const std::string out = dumpDom(page.url());
    INFO(out);
    CHECK(consoleErrors(out).empty());
    CHECK(bodyTag(out) == "<body data-loaded=\"1\">");
    // The incident, closed by its failback, with each event in order and its offset from the start.
    const auto incident = out.find(
        "<article class=\"incident\" data-incident=\"failover-1764000000000\" data-rule=\"failover\" "
        "data-open=\"false\" data-outcome=\"failed back\">");
    REQUIRE(incident != std::string::npos);
    const std::string story = out.substr(incident, out.find("</article>", incident) - incident);
    std::size_t at = 0;
    for (const char* type : {"warning", "failover", "outcome", "verified", "recovered", "failback"}) {
        const auto found = story.find(std::string("<li data-type=\"") + type + "\">", at);
        CHECK_MESSAGE(found != std::string::npos, type);
        if (found != std::string::npos) at = found;
    }
    CHECK(story.find("lasted 20 min") != std::string::npos);
    CHECK(story.find("<b class=\"what\">backup started: backup</b>") != std::string::npos);
    CHECK(story.find("<span class=\"offset\">+8 min</span><b class=\"what\">backup verified on air</b>") != std::string::npos);
    CHECK(story.find("started i-0123456789abcdef0 at 203.0.113.7") != std::string::npos);
    if (eventTypeFromString("acknowledged")) CHECK(story.find("acknowledged by alice") != std::string::npos);
    // Uptime from the results of the last day and week (server-side, /timeline).
    CHECK(out.find("<div class=\"uptime\" data-day=\"100\" data-week=\"100\">uptime 24 h 100 % \u00b7 7 d 100 %") != std::string::npos);
    CHECK(out.find("data-day=\"93.44\" data-week=\"91.94\"") != std::string::npos);  // icecast: 57 of 61, 57 of 62
    // Operator buttons.
    CHECK(out.find("<button type=\"button\" class=\"ack-button\" data-rule=\"failover\">Acknowledge</button>") != std::string::npos);
    CHECK(out.find("<button type=\"button\" id=\"start-maintenance\">Maintenance…</button>") != std::string::npos);
    // The window links: each reloads the page with its window; the axis follows (1 h, then back to the
    // result 3 h ago, then the one 2 days ago), never a sliver at the right edge.
    CHECK(out.find("<a href=\"?window=1h\" class=\"window\" data-window=\"1h\" aria-current=\"page\">1 h</a>") != std::string::npos);
    CHECK(out.find("<a href=\"?window=7d\" class=\"window\" data-window=\"7d\">7 d</a>") != std::string::npos);
    const TimePoint hour = axisStart(out);
    const TimePoint day = axisStart(dumpDom(page.url("?window=24h")));
    const TimePoint week = axisStart(dumpDom(page.url("?window=7d")));
    using std::chrono::minutes;
    CHECK(hour > now - std::chrono::hours(1) - minutes(1));
    CHECK(hour < now - std::chrono::hours(1) + minutes(1));
    CHECK(day > now - std::chrono::hours(3) - minutes(1));
    CHECK(day < now - std::chrono::hours(3) + minutes(1));
    CHECK(week > now - std::chrono::hours(48) - minutes(1));
    CHECK(week < now - std::chrono::hours(48) + minutes(1));

    const std::string shot = artifactPath("status-page-timeline.png");
    screenshot(page.url("?window=7d"), shot, "1280,1400");
    REQUIRE(Poco::File(shot).exists());
    MESSAGE("status page timeline screenshot: " << shot);
}

TEST_CASE("without a readable history the page still loads: the timeline says why, the checks still show") {
    Page page;
    page.engine.setHistoryAvailable(false);
    const std::string out = dumpDom(page.url());
    INFO(out);
    CHECK(consoleErrors(out).empty());
    CHECK(bodyTag(out) == "<body data-loaded=\"1\">");
    CHECK(out.find("timeline unavailable: timeline: HTTP 503") != std::string::npos);
    CHECK(out.find("history unavailable") != std::string::npos);
    CHECK(out.find("data-check=\"icecast\" data-state=\"passing\"") != std::string::npos);
    CHECK(out.find("<div class=\"uptime\"") == std::string::npos);
}

TEST_CASE("maintenance in force and an acknowledged incident are shown from /status, as text") {
    Page page;
    const auto now = std::chrono::system_clock::now();
    auto station = test::sampleStation(now);
    MaintenanceWindow window;
    window.scope = MaintenanceScope::Check;
    window.id = "icecast";
    window.started = now - std::chrono::minutes(5);
    window.until = now + std::chrono::hours(1);
    window.reason = "<b>encoder</b> work";
    window.by = "alice";
    station.maintenance.push_back(window);
    station.rules[0].incident = "failover-1";
    station.rules[0].acknowledged = Acknowledgement{"bob", "on my way", now - std::chrono::minutes(1)};
    page.engine.setStatus(station);
    const std::string out = dumpDom(page.url());
    INFO(out);
    CHECK(consoleErrors(out).empty());
    CHECK(bodyTag(out) == "<body data-loaded=\"1\">");
    CHECK(out.find("<div class=\"maintenance\" data-scope=\"check\">In maintenance: check icecast until ") != std::string::npos);
    CHECK(out.find(" \xE2\x80\x93 &lt;b&gt;encoder&lt;/b&gt; work</div>") != std::string::npos);
    CHECK(out.find("<button type=\"button\" id=\"end-maintenance\">End maintenance</button>") != std::string::npos);  // no longer hidden
    CHECK(out.find("<span class=\"ack\">acknowledged by bob: on my way</span>") != std::string::npos);
    CHECK(out.find("class=\"ack-button\" data-rule=\"failover\"") == std::string::npos);
}

TEST_CASE("with ha: the page shows the node, the leader, the lease's age and a database that is down") {
    Page page;
    StatusSnapshot s = test::sampleStation(std::chrono::system_clock::now());
    HaStatus ha;
    ha.node = "watcher-eu";
    ha.leader = "encoder-host";
    ha.token = 4;
    ha.leaseAge = std::chrono::milliseconds(2300);
    ha.databaseUp = false;
    ha.whenDbDown = "wait";
    s.ha = ha;
    page.engine.setStatus(s);
    const std::string out = dumpDom(page.url());
    INFO(out);
    CHECK(consoleErrors(out).empty());
    CHECK(out.find("node watcher-eu \u00b7 leader encoder-host \u00b7 lease renewed 2.3 s ago (token 4) \u00b7 DATABASE DOWN: not acting "
                   "(when_db_down: wait)") != std::string::npos);
    CHECK(out.find("class=\"meta down\" id=\"ha\"") != std::string::npos);

    Page plain;
    const std::string without = dumpDom(plain.url());
    CHECK(without.find("id=\"ha\" hidden") != std::string::npos);
}

TEST_CASE("a flapping check shows a flapping badge and a limited rule says how many remedy runs it used and until when") {
    Page page;
    const auto now = std::chrono::system_clock::now();
    auto station = test::sampleStation(now);
    station.checks[1].snapshot.flapping = true;
    station.rules[0].phase = "limited";
    station.rules[0].deadline = now + std::chrono::hours(3);
    station.rules[0].limit = RuleLimitStatus{2, std::chrono::hours(24), 2, now + std::chrono::hours(3)};
    station.rules[1].limit = RuleLimitStatus{3, std::chrono::hours(1), 1, std::nullopt};
    page.engine.setStatus(station);
    const std::string out = dumpDom(page.url());
    INFO(out);
    CHECK(consoleErrors(out).empty());
    CHECK(bodyTag(out) == "<body data-loaded=\"1\">");
    const auto card = out.find("<section class=\"card\" data-check=\"liquidsoap_cpu\" data-state=\"failing\">");
    REQUIRE(card != std::string::npos);
    CHECK(out.find("<span class=\"badge failing\">failing</span><span class=\"badge flapping\">flapping</span></h2>", card) ==
          out.find("<span class=\"badge failing\">", card));
    const std::string badge = "<span class=\"badge flapping\">";
    CHECK(out.find(badge) == out.rfind(badge));  // only the flapping check has it

    const auto row = out.find("<tr data-rule=\"failover\" data-state=\"limited\">");
    REQUIRE(row != std::string::npos);
    const std::string failover = out.substr(row, out.find("</tr>", row) - row);
    CHECK(failover.find("<td>limited \u00b7 2 of 2 remedy runs used, limited until ") != std::string::npos);
    // The status rule's limit still has room: no "limited until".
    const auto other = out.find("<tr data-rule=\"status\" data-state=\"idle\">");
    REQUIRE(other != std::string::npos);
    const std::string status = out.substr(other, out.find("</tr>", other) - other);
    CHECK(status.find("<td>idle \u00b7 1 of 3 remedy runs used</td>") != std::string::npos);
}
