// The status page as a person sees it: a real headless Chromium loads it from a StatusServer over a
// fake engine, runs its script, and we read the rendered DOM, the browser's console and a screenshot.
#include "FakeEngineStatus.h"
#include "TestSupport.h"
#include "http/StatusServer.h"

#include <doctest/doctest.h>

#include <Poco/File.h>

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

struct Page {
    test::FakeEngineStatus engine;
    std::unique_ptr<StatusServer> server;

    explicit Page(const std::string& token = "") {
        const auto now = std::chrono::system_clock::now();
        engine.setStatus(test::sampleStation(now));
        engine.setHistory(test::sampleHistory(now));
        HttpSettings settings;
        settings.enabled = true;
        settings.port = 0;
        settings.token = token;
        server = std::make_unique<StatusServer>(settings, engine);
        server->start();
    }
    std::string url(const std::string& suffix = "") const { return "http://127.0.0.1:" + std::to_string(server->port()) + "/" + suffix; }
};

/// Runs headless Chromium on `url` with `extra` arguments; returns its stdout+stderr.
std::string runChromium(const test::TempDir& profile, const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> argv = {chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                     "--no-first-run", "--user-data-dir=" + profile.path(), "--enable-logging=stderr", "--v=0",
                                     // Lets the page's fetches finish and its script settle before the DOM is read.
                                     "--virtual-time-budget=10000"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    auto [code, output] = test::runCommand(argv, std::chrono::seconds(60));
    INFO(output);
    REQUIRE(code == 0);
    return output;
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

}  // namespace

TEST_CASE("the status page loads in Chromium without console errors and shows every check and its state") {
    Page page;
    test::TempDir profile;
    const std::string out = runChromium(profile, page.url(), {"--dump-dom"});
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
    CHECK(page.engine.lastQuery().checkId.empty());
}

TEST_CASE("with a token the page takes it from #token= and shows the data; without it, it asks for one") {
    Page page("page-token-123");
    test::TempDir profile;
    const std::string ok = runChromium(profile, page.url("#token=page-token-123"), {"--dump-dom"});
    CHECK(consoleErrors(ok).empty());
    CHECK(bodyTag(ok) == "<body data-loaded=\"1\">");
    CHECK(ok.find("data-check=\"liquidsoap_cpu\" data-state=\"failing\"") != std::string::npos);

    test::TempDir fresh;
    const std::string denied = runChromium(fresh, page.url(), {"--dump-dom"});
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
    test::TempDir profile;
    const std::string out = runChromium(profile, page.url(), {"--dump-dom"});
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
    test::TempDir profile;
    const std::string shot = test::buildDir() + "/test-artifacts/status-page.png";
    Poco::File(test::buildDir() + "/test-artifacts").createDirectories();
    Poco::File(shot).exists() && (Poco::File(shot).remove(), true);
    const std::string out = runChromium(profile, page.url(), {"--screenshot=" + shot, "--window-size=1280,900", "--hide-scrollbars"});
    CHECK(consoleErrors(out).empty());
    REQUIRE(Poco::File(shot).exists());
    CHECK(Poco::File(shot).getSize() > 20000);  // a blank 1280x900 PNG is a few KB; the rendered page is far more
    const std::string png = test::readFile(shot);
    CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    std::cout << "status page screenshot: " << shot << std::endl;
    MESSAGE("status page screenshot: " << shot);
}
