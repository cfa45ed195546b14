// Pipeline loading: durations, ${VAR}, exact FILE:LINE:COL of each error, defaults.
#include "config/Pipeline.h"
#include "PipelineErrors.h"
#include "TestSupport.h"
#include <watchdog/Duration.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <limits>
#include <watchdog/Clock.h>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

TEST_CASE("durations and sizes") {
    CHECK(*parseDuration("500ms") == 500ms);
    CHECK(*parseDuration("300s") == 300s);
    CHECK(*parseDuration("15m") == 15min);
    CHECK(*parseDuration("1h") == 1h);
    CHECK(*parseDuration("1h30m") == 90min);
    CHECK_FALSE(parseDuration("10").has_value());
    CHECK_FALSE(parseDuration("5 minutes").has_value());
    CHECK_FALSE(parseDuration("").has_value());
    CHECK(*parseSize("10M") == 10ULL << 20);
}

TEST_CASE("durations stop at the documented maximum instead of overflowing the clocks") {
    CHECK(*parseDuration("3650d") == maxDuration);
    CHECK_FALSE(parseDuration("3651d").has_value());
    CHECK(isOverlongDuration("3651d"));
    CHECK(isOverlongDuration("99999999999h"));
    CHECK(isOverlongDuration("4611686018427387904ms4611686018427387904ms"));  // once wrapped negative
    CHECK(isOverlongDuration("99999999999999999999999999s"));
    CHECK_FALSE(isOverlongDuration("5 minutes"));
    CHECK(formatDuration(std::chrono::milliseconds(std::numeric_limits<long long>::min())).front() == '-');
    CHECK(toEpochMs(fromEpochMs(std::numeric_limits<long long>::max())) > 0);
    CHECK(toEpochMs(fromEpochMs(std::numeric_limits<long long>::min())) < 0);

    const PipelineFile file(
        "checks:\n  a: { plugin: x, timeout: 99999999999h }\n"
        "rules:\n  f: { when: any, wait: 4611686018427387904ms4611686018427387904ms }\n");
    const auto errors = file.errors();
    REQUIRE(errors.size() == 2);
    CHECK(errors[0] == file.path + ":2:28: checks.a.timeout: '99999999999h' is longer than the longest duration, 3650d");
    INFO(errors[1]);
    CHECK(errors[1].find(file.path + ":4:25: rules.f.wait: '4611686018427387904ms4611686018427387904ms' is longer than the longest") == 0);
}

TEST_CASE("a valid pipeline: defaults, ${VAR} with a default, relative paths, the old script's rules") {
    TempDir dir;
    ::setenv("WATCHDOG_TEST_NAME", "station-eu", 1);
    const std::string path =
        dir.write("conf/pipeline.yaml",
                  "watchdog:\n  name: ${WATCHDOG_TEST_NAME}\n  interval: 30s\n  state_file: ${WATCHDOG_TEST_UNSET:-state/s.json}\n"
                  "checks:\n  a: { plugin: x, timeout: 5s }\n  b: { plugin: x, interval: 500ms, fail_after: 3 }\n  c: { plugin: x }\n");
    const Pipeline p = loadPipeline(path);
    CHECK(p.name == "station-eu");
    CHECK(p.stateFile == dir.path() + "/conf/state/s.json");
    REQUIRE(p.checks.size() == 3);
    CHECK(p.checks[0].interval == 30s);
    CHECK(p.checks[0].timeout == 5s);
    CHECK(p.checks[1].interval == 500ms);
    CHECK(p.checks[1].timeout == 500ms);  // never more than the interval
    CHECK(p.checks[1].failAfter == 3);
    CHECK(p.defaultRules);
    REQUIRE(!p.rules.empty());
    CHECK(p.rules[0].id == "failover");
    CHECK(p.rules[0].threshold == 2);
    CHECK(p.rules[0].wait == 300s);
}

TEST_CASE("every problem is reported at once, with its exact line and column, without secrets") {
    TempDir dir;
    ::setenv("WATCHDOG_TEST_SECRET", "hunter2-very-secret", 1);
    const std::string path = dir.write("pipeline.yaml",
                                       "watchdog:\n"                                              // 1
                                       "  intervall: 30s\n"                                       // 2
                                       "checks:\n"                                                // 3
                                       "  a:\n"                                                   // 4
                                       "    plugin: x\n"                                          // 5
                                       "    interval: soon\n"                                     // 6
                                       "    fail_after: ${WATCHDOG_TEST_SECRET}\n"                // 7
                                       "  b: { plugin: x, timeout: ${WATCHDOG_TEST_MISSING} }\n"  // 8 (a YAML error: caught first)
    );
    auto errors = pipelineErrors(path);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find(path + ":8:") == 0);
    CHECK(errors[0].find("quote a ${VAR} value") != std::string::npos);

    dir.write("pipeline.yaml",
              "watchdog:\n"
              "  intervall: 30s\n"
              "checks:\n"
              "  a:\n"
              "    plugin: x\n"
              "    interval: soon\n"
              "  c: { plugin: x }\n"
              "  b:\n"
              "    plugin: x\n"
              "    timeout: soonish\n"
              "rules:\n"
              "  failover:\n"
              "    when: 2 of [a, bb]\n"
              "    then: [nobody]\n"
              "  other:\n"
              "    when: any\n"
              "    then: [nobody]\n"
              "  rate:\n"
              "    every: ${WATCHDOG_TEST_SECRET}\n");
    errors = pipelineErrors(path);
    std::string all;
    for (const auto& e : errors) all += e + "\n";
    INFO(all);
    CHECK(all.find(path + ":2:3: watchdog: unknown option 'intervall' (did you mean 'interval'?)") != std::string::npos);
    CHECK(all.find(path + ":6:15:") != std::string::npos);
    CHECK(all.find(path + ":10:14:") != std::string::npos);
    CHECK(all.find(path + ":19:12: rules.rate.every:") != std::string::npos);
    CHECK(all.find("did you mean 'b'") != std::string::npos);
    CHECK(all.find("no action is called 'nobody'") != std::string::npos);
    CHECK(all.find("hunter2") == std::string::npos);
}

TEST_CASE("an unset variable is an error at its place, naming the variable") {
    const PipelineFile file("checks:\n  b:\n    plugin: x\n    timeout: ${WATCHDOG_TEST_MISSING}\n");
    const auto errors = file.errors();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == file.path + ":4:14: ${WATCHDOG_TEST_MISSING} is not set (export it, or put it in env_file)");
}

TEST_CASE("invalid UTF-8 before a YAML error is a syntax error, not a crash (found by fuzz_pipeline)") {
    const std::string text(
        "x\0watchog:\n  \xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
        "a2, *a0\0\0\0]\n]\n",
        37);
    const PipelineFile file(text);
    const auto errors = file.errors();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find(file.path + ":") == 0);
    CHECK(errors[0].find("YAML syntax error") != std::string::npos);
}

TEST_CASE("duplicate keys are errors naming both places") {
    const PipelineFile file("checks:\n  a: { plugin: x }\n  a: { plugin: y }\n");
    const auto errors = file.errors();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find(file.path + ":3:3:") == 0);
    CHECK(errors[0].find("duplicate") != std::string::npos);
}

TEST_CASE("a rule count too large for an int is refused, not wrapped around to a small one") {
    const PipelineFile file(
        "checks:\n  a: { plugin: x }\n  b: { plugin: x }\n"
        "rules:\n  failover:\n    when: 4294967297 of [a, b]\n");
    const auto errors = file.errors();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == file.path + ":6:11: rules.failover.when: needs 4294967297 failing checks but names only 2");
}

TEST_CASE("one pass reports unset variables together with every other problem, each block's problems all") {
    TempDir dir;
    const std::string path = dir.write("pipeline.yaml",
                                       "watchdog:\n"                               // 1
                                       "  interval: 5 minutes\n"                   // 2
                                       "  timeout: 0s\n"                           // 3
                                       "checks:\n"                                 // 4
                                       "  a:\n"                                    // 5
                                       "    plugin: x\n"                           // 6
                                       "    interval: ${WATCHDOG_TEST_MISSING}\n"  // 7
                                       "    fail_after: none\n"                    // 8
                                       "    pass_after: 0\n"                       // 9
                                       "  b: { label: no plugin }\n"               // 10
                                       "http: { listen: nowhere }\n");             // 11
    const std::vector<std::string> expected = {
        path + ":2:13: watchdog.interval: '5 minutes' is not a duration (use 500ms, 30s, 15m, 1h)",
        path + ":3:12: watchdog.timeout: must be more than 0",
        path + ":7:15: ${WATCHDOG_TEST_MISSING} is not set (export it, or put it in env_file)",
        path + ":8:17: checks.a.fail_after: 'none' is not a whole number",
        path + ":9:17: checks.a.pass_after: must be between 1 and 1000 (got '0')",
        path + ":10:3: checks.b.plugin: required option is missing",
        path + ":11:17: http.listen: 'nowhere' is not HOST:PORT (e.g. 127.0.0.1:9480)",
    };
    CHECK(joinedLines(pipelineErrors(path)) == joinedLines(expected));
}

TEST_CASE("an unterminated quote is a syntax error at the quote, not a file that swallows the rest") {
    TempDir dir;
    const std::string path = dir.write("pipeline.yaml",
                                       "watchdog:\n  name: \"station\n"
                                       "checks:\n  a: { plugin: x }\n");
    auto errors = pipelineErrors(path);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == path + ":2:9: YAML syntax error: this quoted value has no closing \" (it would run to the end of the file)");
    dir.write("pipeline.yaml", "watchdog:\n  name: 'it''s\n");
    errors = pipelineErrors(path);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find(path + ":2:9: YAML syntax error: this quoted value has no closing '") == 0);
    dir.write("pipeline.yaml", "watchdog:\n  name: \"a \\\" b\"\n  state_file: 'it''s'\nchecks: { a: { plugin: x } }\n");
    CHECK(pipelineErrors(path).empty());
}

TEST_CASE("a rule that names a check twice, or needs more checks than are enabled, is refused") {
    TempDir dir;
    const std::string path = dir.write("pipeline.yaml",
                                       "checks:\n  cpu: { plugin: x }\n  b: { plugin: x, enabled: false }\n  c: { plugin: x }\n"
                                       "rules:\n"
                                       "  twice: { when: \"2 of [cpu, cpu]\" }\n"
                                       "  never: { when: \"2 of [cpu, b]\" }\n"
                                       "  fine: { when: \"1 of [cpu, b]\" }\n");
    const std::vector<std::string> expected = {
        path + ":6:18: rules.twice.when: names 'cpu' twice; each check counts once",
        path +
            ":7:18: rules.never.when: needs 2 failing checks but only 1 of those it names are enabled (disabled: b); it could never fire",
    };
    CHECK(joinedLines(pipelineErrors(path)) == joinedLines(expected));
}

TEST_CASE("what is not a regular pipeline file of sane size and depth is refused with the reason") {
    TempDir dir;
    CHECK(joinedLines(pipelineErrors(dir.path())) == dir.path() + ": is a directory, not a pipeline file\n");
    CHECK(joinedLines(pipelineErrors("/dev/zero")) == "/dev/zero: is not a regular file; a pipeline file must be one\n");
    const std::string big = dir.write("big.yaml", "# " + std::string(2u << 20, 'x') + "\n");
    CHECK(joinedLines(pipelineErrors(big)) == big + ": is 2048 KiB; a pipeline file may have at most 1024 KiB\n");
    const std::string deep = dir.write("deep.yaml", "a: " + std::string(200, '[') + std::string(200, ']') + "\n");
    CHECK(pipelineErrors(deep).at(0).find("nested deeper than 64 levels") != std::string::npos);
    // An alias bomb: each level doubles the references; walking shared nodes once keeps it linear.
    std::string bomb = "x0: &a0 [\"${WATCHDOG_TEST_UNSET:-v}\", \"v\"]\n";
    for (int i = 1; i <= 40; ++i)
        bomb +=
            "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
    const std::string bombPath = dir.write("bomb.yaml", bomb);
    CHECK(pipelineErrors(bombPath).at(0).find("no check is configured") != std::string::npos);
    CHECK(pipelineErrors(bombPath).at(1).find("unknown top-level key 'x0'") != std::string::npos);
    const std::string env = dir.write("env.yaml", "watchdog:\n  env_file: .\nchecks: { a: { plugin: x } }\n");
    CHECK(joinedLines(pipelineErrors(env)) == env + ":2:13: watchdog.env_file: '.' is a directory, not an env_file\n");
}

TEST_CASE("a pipeline that would watch nothing is refused unless it says so") {
    TempDir dir;
    const std::string path = dir.write("pipeline.yaml", "watchdog:\n  name: x\n");
    CHECK(joinedLines(pipelineErrors(path)) == path +
                                                   ": no check is configured: the watchdog would watch nothing (add a check under "
                                                   "checks:, or set watchdog.allow_no_checks: true if that is meant)\n");
    dir.write("pipeline.yaml", "checks:\n  a: { plugin: x, enabled: false }\n");
    CHECK(joinedLines(pipelineErrors(path)) == path +
                                                   ":1:1: every check has enabled: false: the watchdog would watch nothing (add a check "
                                                   "under checks:, or set watchdog.allow_no_checks: true if that is meant)\n");
    dir.write("pipeline.yaml", "watchdog: { allow_no_checks: true }\nchecks:\n  a: { plugin: x, enabled: false }\n");
    CHECK(pipelineErrors(path).empty());
}

TEST_CASE("an alias inside the node it names is refused (found by fuzzing: it leaked the tree)") {
    TempDir dir;
    const std::string path = dir.write("pipeline.yaml", "checks: { a: { plugin: x } }\nx: &loop [1, *loop]\n");
    CHECK(joinedLines(pipelineErrors(path)) == path + ":2:14: this alias refers to a mapping or list that contains it\n");
}
