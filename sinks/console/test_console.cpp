#include "ConsoleSink.h"

#include <watchdog/testing/PluginTestKit.h>

#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <sstream>

using namespace watchdog;
using namespace watchdog::console;
using namespace watchdog::test;
using namespace watchdog::testing;

namespace {

void configure(ConsoleSink& sink, const std::string& yaml) { configureFrom(sink, yaml.empty() ? "{}\n" : yaml, "sinks[0]"); }

}  // namespace

TEST_CASE("console sink: one plain line per record when the output is not a terminal") {
    std::ostringstream out;
    ConsoleSink sink(out, false);
    configure(sink, "");
    Record outcome = sampleEvent(3, EventType::Outcome);
    outcome.event.action = "backup";
    outcome.event.ok = false;
    outcome.event.summary = "instance i-0abc did not start";
    outcome.event.duration = std::chrono::milliseconds(12000);
    sink.write({sampleResult(1), sampleResult(2, "ts_age", Status::Fail), sampleEvent(4), outcome});
    const auto lines = linesOf(out.str());
    REQUIRE(lines.size() == 4);
    const std::string t1 = toLocalSeconds(sampleResult(1).time);
    CHECK(lines[0] == t1 + " PASS  Icecast Sources: 1 source connected");
    CHECK(lines[1].substr(20) == "FAIL  HLS Old Files: no source connected");
    CHECK(lines[2].substr(20) == "EVENT warning [failover]: 2 of 4 checks failing; starting the backup in 5m");
    CHECK(lines[3].substr(20) == "EVENT outcome [failover] backup FAILED: instance i-0abc did not start (12 s)");
    CHECK(out.str().find('\033') == std::string::npos);
}

TEST_CASE("console sink: a dry-run outcome says dry run, not ok, and values are rounded for people") {
    std::ostringstream out;
    ConsoleSink sink(out, false);
    configure(sink, "");
    Record outcome = sampleEvent(3, EventType::Outcome);
    outcome.event.action = "backup";
    outcome.event.summary = "would start i-0abc (dry run): it is stopped and StartInstances would be allowed";
    outcome.event.details = {{"dry_run", "allowed"}};
    outcome.event.duration = std::chrono::milliseconds(9442);
    Record cpu = sampleResult(4);
    cpu.result.summary.clear();
    cpu.result.value = 1;
    sink.write({outcome, cpu});
    const auto lines = linesOf(out.str());
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].substr(20) == "EVENT outcome [failover] backup dry run: " + outcome.event.summary + " (9.4 s)");
    CHECK(lines[1].substr(20) == "PASS  Icecast Sources: 1 source");
}

TEST_CASE("console sink: kinds selects results or events") {
    std::ostringstream out;
    ConsoleSink sink(out, false);
    configure(sink, "kinds: [events]\n");
    sink.write({sampleResult(1), sampleEvent(2), sampleResult(3)});
    const auto lines = linesOf(out.str());
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("EVENT warning") != std::string::npos);
}

TEST_CASE("console sink: colour follows the terminal, NO_COLOR and the color option") {
    ::unsetenv("NO_COLOR");
    ::setenv("TERM", "xterm", 1);
    SUBCASE("auto on a terminal colours the status") {
        std::ostringstream out;
        ConsoleSink sink(out, true);
        configure(sink, "");
        sink.write({sampleResult(1, "icecast", Status::Fail)});
        CHECK(out.str().find("\033[31mFAIL \033[0m Icecast Sources") != std::string::npos);
    }
    SUBCASE("auto with NO_COLOR set stays plain") {
        ::setenv("NO_COLOR", "1", 1);
        std::ostringstream out;
        ConsoleSink sink(out, true);
        configure(sink, "");
        sink.write({sampleResult(1)});
        CHECK(out.str().find('\033') == std::string::npos);
        ::unsetenv("NO_COLOR");
    }
    SUBCASE("always colours even into a pipe; never never does") {
        std::ostringstream coloured, plain;
        ConsoleSink a(coloured, false), n(plain, true);
        configure(a, "color: always\n");
        configure(n, "color: never\n");
        a.write({sampleResult(1)});
        n.write({sampleResult(1)});
        CHECK(coloured.str().find("\033[32mPASS") != std::string::npos);
        CHECK(plain.str().find('\033') == std::string::npos);
    }
}

TEST_CASE("console sink: bad options are config errors at the key") {
    ConsoleSink sink;
    CHECK_THROWS_WITH_AS(configure(sink, "kinds: [results, alerts]\n"),
                         doctest::Contains("sinks[0].kinds: 'alerts' is not a record kind (use results, events)"), ConfigError);
    CHECK_THROWS_WITH_AS(configure(sink, "color: sometimes\n"), doctest::Contains("sinks[0].color"), ConfigError);
}
