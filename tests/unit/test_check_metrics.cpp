// A check's named metrics (Result::metric) reach /metrics as watchdog_check_metric samples, /status
// as JSON, survive the check process's protocol, and are bounded like details.
#include "common/ResultBounds.h"
#include "http/PrometheusText.h"
#include "http/StatusJson.h"
#include "isolation/CheckRunnerProtocol.h"

#include "FakeEngineStatus.h"

#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <cmath>

using namespace watchdog;

namespace {

Result icecastWithMetrics() {
    return Result::pass("source connected to /live")
        .withValue(1, "sources")
        .detail("/live reconnects", "2")
        .metric("reconnects", 2, {{"mount", "/live"}})
        .metric("read_kbps", 127.94, {{"mount", "/live"}});
}

StatusSnapshot stationWith(Result last) {
    auto s = test::sampleStation(std::chrono::system_clock::now());
    s.checks[0].snapshot.last = std::move(last);
    return s;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("/metrics exports each metric of a check's last result as watchdog_check_metric with its labels") {
    const std::string m = renderPrometheusText(stationWith(icecastWithMetrics()), {});
    CHECK(has(m, "# TYPE watchdog_check_metric gauge\n"));
    CHECK(has(m, "watchdog_check_metric{check=\"icecast\",name=\"reconnects\",mount=\"/live\"} 2\n"));
    CHECK(has(m, "watchdog_check_metric{check=\"icecast\",name=\"read_kbps\",mount=\"/live\"} 127.94\n"));
    CHECK(has(m, "watchdog_check_value{check=\"icecast\",unit=\"sources\"} 1\n"));
}

TEST_CASE("a plugin's label names are made valid and cannot replace check or name") {
    Result r = Result::pass("ok").metric("x", 1, {{"mount point", "/a"}, {"check", "forged"}, {"name", "forged"}, {"9lives", "v"}});
    const std::string m = renderPrometheusText(stationWith(r), {});
    CHECK(has(m,
              "watchdog_check_metric{check=\"icecast\",name=\"x\",mount_point=\"/a\",label_check=\"forged\",label_name=\"forged\","
              "label_9lives=\"v\"} 1\n"));
}

TEST_CASE("a check without a result or without metrics has no watchdog_check_metric sample") {
    auto s = test::sampleStation(std::chrono::system_clock::now());
    const std::string m = renderPrometheusText(s, {});
    CHECK(has(m, "# TYPE watchdog_check_metric gauge\n"));
    CHECK_FALSE(has(m, "watchdog_check_metric{"));
}

TEST_CASE("/status carries the metrics in the last result") {
    auto root = Poco::JSON::Parser().parse(renderStatusJson(stationWith(icecastWithMetrics()))).extract<Poco::JSON::Object::Ptr>();
    auto metrics = root->getArray("checks")->getObject(0)->getObject("last")->getArray("metrics");
    REQUIRE(metrics->size() == 2);
    CHECK(metrics->getObject(0)->getValue<std::string>("name") == "reconnects");
    CHECK(metrics->getObject(0)->getValue<double>("value") == 2);
    CHECK(metrics->getObject(0)->getObject("labels")->getValue<std::string>("mount") == "/live");
    CHECK(metrics->getObject(1)->getValue<double>("value") == doctest::Approx(127.94));
}

TEST_CASE("metrics survive the check process's result line, NaN included") {
    Result sent = icecastWithMetrics();
    sent.metric("level", std::nan(""));
    const std::string line = resultLine(sent);
    const Result got = readResult(*Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>());
    REQUIRE(got.metrics.size() == 3);
    CHECK(got.metrics[0].name == "reconnects");
    CHECK(got.metrics[0].value == 2);
    CHECK(got.metrics[0].labels == Details{{"mount", "/live"}});
    CHECK(got.metrics[1].value == 127.94);
    CHECK(std::isnan(got.metrics[2].value));
    CHECK(got.metrics[2].labels.empty());
}

TEST_CASE("metrics are bounded in number, labels and text") {
    Result r = Result::pass("ok");
    for (int i = 0; i < 1000; ++i)
        r.metric(std::string(100, 'n') + "\n", i, {{"a", std::string(1000, 'v')}, {"b", "1"}, {"c", "2"}, {"d", "3"}, {"e", "4"}});
    boundResult(r);
    REQUIRE(r.metrics.size() == ResultLimits::metricCount);
    CHECK(r.metrics.back().value == ResultLimits::metricCount - 1);
    CHECK(r.metrics[0].name.size() <= ResultLimits::detailKeyBytes);
    CHECK(r.metrics[0].name.find('\n') == std::string::npos);
    CHECK(r.metrics[0].labels.size() == ResultLimits::metricLabelCount);
    CHECK(r.metrics[0].labels[0].second.size() <= ResultLimits::detailValueBytes);
}
