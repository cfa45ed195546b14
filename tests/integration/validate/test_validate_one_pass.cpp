// One pass of `validate` (and `check`, `run`) reports every problem in the file: the watchdog block,
// every option of every block (the core's and the plugins'), unset ${VAR}s, in file order.
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace watchdog;

namespace {

std::pair<int, std::vector<std::string>> run(const std::string& verb, const std::string& pipeline) {
    REQUIRE_MESSAGE(!test::readFile(test::watchdogBinary()).empty(), "build encoder-watchdog first");
    auto [code, output] =
        test::runCommand({test::watchdogBinary(), verb, pipeline}, std::chrono::seconds(30), {{"WATCHDOG_ONE_PASS_SECRET", "hunter2"}});
    return {code, test::nonEmptyLinesOf(output)};
}

}  // namespace

TEST_CASE("validate lists every problem of the file at once, in file order") {
    test::TempDir dir;
    const std::string path = dir.write("pipeline.yaml",
                                       "watchdog:\n"                                   // 1
                                       "  interval: 5 minutes\n"                       // 2
                                       "  timeout: ${WATCHDOG_ONE_PASS_UNSET}\n"       // 3
                                       "checks:\n"                                     // 4
                                       "  ts_count:\n"                                 // 5
                                       "    plugin: hls_count\n"                       // 6
                                       "    directory: /var/www/hls\n"                 // 7
                                       "    max_files: many\n"                         // 8
                                       "    min_files: ${WATCHDOG_ONE_PASS_SECRET}\n"  // 9
                                       "    max_filez: 20\n"                           // 10
                                       "  ts_age:\n"                                   // 11
                                       "    plugin: hls_age\n"                         // 12
                                       "    directory: /var/www/hls\n"                 // 13
                                       "    max_age: 15 minutes\n"                     // 14
                                       "    fail_after: 0\n"                           // 15
                                       "actions:\n"                                    // 16
                                       "  backup:\n"                                   // 17
                                       "    plugin: aws_start\n"                       // 18
                                       "    instance_id: ${WATCHDOG_ONE_PASS_IID}\n"   // 19
                                       "    region: eu-west-2\n"                       // 20
                                       "rules:\n"                                      // 21
                                       "  failover:\n"                                 // 22
                                       "    when: 2 of [ts_count, ts_agee]\n"          // 23
                                       "    then: [backup, nobody]\n");                // 24
    auto [code, out] = run("validate", path);
    CHECK(code == 2);
    const std::vector<std::string> expected = {
        path + ":2:13: watchdog.interval: '5 minutes' is not a duration (use 500ms, 30s, 15m, 1h)",
        path + ":3:12: ${WATCHDOG_ONE_PASS_UNSET} is not set (export it, or put it in env_file)",
        path + ":8:16: checks.ts_count.max_files: 'many' is not a whole number",
        path + ":9:16: checks.ts_count.min_files: '${WATCHDOG_ONE_PASS_SECRET}' is not a whole number",
        path + ":10:5: checks.ts_count: unknown option 'max_filez' (did you mean 'max_files'?)",
        path + ":14:14: checks.ts_age.max_age: '15 minutes' is not a duration (use 500ms, 30s, 15m, 1h)",
        path + ":15:17: checks.ts_age.fail_after: must be between 1 and 1000 (got '0')",
        path + ":19:18: ${WATCHDOG_ONE_PASS_IID} is not set (export it, or put it in env_file)",
        path + ":23:11: rules.failover.when: no check is called 'ts_agee' (did you mean 'ts_age'?)",
        path + ":24:11: rules.failover.then: no action is called 'nobody'",
    };
    CHECK(test::joinedLines(out) == test::joinedLines(expected));
    for (const auto& line : out) CHECK(line.find("hunter2") == std::string::npos);
}

TEST_CASE("check and run report the same problems before doing anything") {
    test::TempDir dir;
    const std::string path = dir.write("pipeline.yaml",
                                       "watchdog:\n  interval: 5 minutes\n"
                                       "checks:\n  ts_count:\n    plugin: hls_count\n    directory: /tmp\n    max_filez: 20\n");
    const std::vector<std::string> expected = {
        path + ":2:13: watchdog.interval: '5 minutes' is not a duration (use 500ms, 30s, 15m, 1h)",
        path + ":7:5: checks.ts_count: unknown option 'max_filez' (did you mean 'max_files'?)",
    };
    auto [checkCode, checkOut] = run("check", path);
    CHECK(checkCode == 3);
    CHECK(test::joinedLines(checkOut) == test::joinedLines(expected));
    auto [runCode, runOut] = run("run", path);
    CHECK(runCode == 2);
    CHECK(test::joinedLines(runOut) == test::joinedLines(expected));
}

TEST_CASE("a value that came from ${VAR} is shown as ${VAR} in every message, whichever plugin wrote it") {
    test::TempDir dir;
    const std::string path = dir.write("pipeline.yaml",
                                       "watchdog:\n  env_file: secrets.env\n"                                                 // 1-2
                                       "http: { listen: \"${STATUS_LISTEN}\" }\n"                                             // 3
                                       "checks:\n"                                                                            // 4
                                       "  icecast: { plugin: icecast, url: \"${ICECAST_URL}\", user: admin, password: x }\n"  // 5
                                       "actions:\n"                                                                           // 6
                                       "  backup: { plugin: aws_start, instance_id: \"${IID}\", region: eu-west-2 }\n"        // 7
                                       "  other: { plugin: aws_start, instance_id: i-0123456789abcdef0, region: \"${REGION}\" }\n");
    dir.write("secrets.env",
              "STATUS_LISTEN=secret-host-name\n"
              "ICECAST_URL=http://admin:hunter2pass@icecast.example:99999999/\n"
              "IID=i-hunter2secret\n"
              "REGION=hunter2-region\n");
    auto [code, out] = run("validate", path);
    CHECK(code == 2);
    const std::string all = test::joinedLines(out);
    INFO(all);
    CHECK(out.size() == 4);
    CHECK(all.find("hunter2") == std::string::npos);
    CHECK(all.find("secret-host-name") == std::string::npos);
    CHECK(all.find("${STATUS_LISTEN}") != std::string::npos);
    CHECK(all.find("${ICECAST_URL}") != std::string::npos);
    CHECK(all.find("${IID}") != std::string::npos);
    CHECK(all.find("${REGION}") != std::string::npos);
}

TEST_CASE("a plugin that stops at its own check still has every other option of its block reported") {
    test::TempDir dir;
    const std::string path = dir.write("pipeline.yaml",
                                       "checks:\n"               // 1
                                       "  icecast:\n"            // 2
                                       "    plugin: icecast\n"   // 3
                                       "    url: ftp://host/\n"  // 4
                                       "    pasword: x\n"        // 5
                                       "    min_kbps: lots\n");  // 6
    auto [code, out] = run("validate", path);
    CHECK(code == 2);
    // The url stops the plugin's configure; the password it never got to ask for is missing all the same.
    const std::vector<std::string> expected = {
        path + ":2:3: checks.icecast.password: required option is missing",
        path + ":4:10: checks.icecast.url: must start with http:// or https:// (e.g. http://127.0.0.1:8000)",
        path + ":5:5: checks.icecast: unknown option 'pasword' (did you mean 'password'?)",
        path + ":6:15: checks.icecast.min_kbps: 'lots' is not a number",
    };
    CHECK(test::joinedLines(out) == test::joinedLines(expected));
}

TEST_CASE("a rule between two options does not hide an unknown key after it") {
    test::TempDir dir;
    const std::string path = dir.write("pipeline.yaml",
                                       "checks:\n"                // 1
                                       "  ts_count:\n"            // 2
                                       "    plugin: hls_count\n"  // 3
                                       "    directory: /tmp\n"    // 4
                                       "    min_files: 50\n"      // 5
                                       "    max_files: 10\n"      // 6
                                       "    max_filez: 3\n");     // 7
    auto [code, out] = run("validate", path);
    CHECK(code == 2);
    const std::vector<std::string> expected = {
        path + ":5:16: checks.ts_count.min_files: is larger than max_files (10)",
        path + ":7:5: checks.ts_count: unknown option 'max_filez' (did you mean 'max_files'?)",
    };
    CHECK(test::joinedLines(out) == test::joinedLines(expected));
}

TEST_CASE("after a plugin's configure stops, the core reads the rest of the block through the plugin's option table") {
    test::TempDir dir;
    const std::string path = dir.write("pipeline.yaml",
                                       "checks:\n"                                // 1
                                       "  tcp:\n"                                 // 2
                                       "    plugin: nagios\n"                     // 3
                                       "    command: [/nonexistent/check_tcp]\n"  // 4
                                       "    warning_passes: maybe\n"              // 5
                                       "    envv: [A=1]\n");                      // 6
    auto [code, out] = run("validate", path);
    CHECK(code == 2);
    const std::vector<std::string> expected = {
        path + ":4:14: checks.tcp.command: '/nonexistent/check_tcp' is not an executable file",
        path + ":5:21: checks.tcp.warning_passes: 'maybe' is not a boolean (use true or false)",
        path + ":6:5: checks.tcp: unknown option 'envv' (did you mean 'env'?)",
    };
    CHECK(test::joinedLines(out) == test::joinedLines(expected));
}
