// exec against real processes: the event in the environment and on stdin, exit codes, output
// capture, the timeout killing the whole process group, no shell unless asked.
#include "EventEnvironment.h"
#include "ExecAction.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

using namespace watchdog;
using namespace watchdog::exec;
using watchdog::test::TempDir;
using Ms = std::chrono::milliseconds;

namespace {

std::unique_ptr<ExecAction> action(const std::string& yaml) { return testing::configure<ExecAction>(yaml, "actions.switch"); }

std::string configureError(const std::string& yaml) {
    const std::string error = testing::configError<ExecAction>(yaml, "actions.switch");
    return error == "no error" ? "" : error;
}

std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
    const std::string path = dir.write(name, "#!/bin/sh\n" + body);
    ::chmod(path.c_str(), 0755);
    return path;
}

Event failover() {
    Event e;
    e.type = EventType::Failover;
    e.time = fromEpochMs(1727365199000LL);
    e.pipeline = "station-eu";
    e.rule = "failover";
    e.incident = "failover-1727364899000";
    e.summary = "Still failing after 5m: Icecast Sources, TS File Count; running backup";
    e.failing = {"icecast", "ts_count"};
    CheckSnapshot c;
    c.id = "icecast";
    c.label = "Icecast Sources";
    c.health = Health::Failing;
    c.hasResult = true;
    c.last = Result::fail("no source connected").withValue(0, "sources");
    e.checks.push_back(c);
    c.id = "ts_count";
    c.label = "TS File Count";
    e.checks.push_back(c);
    return e;
}

ActionContext context(const std::atomic<bool>* stopping = nullptr, bool dryRun = false) {
    return ActionContext{"switch", "Switch DNS", dryRun, stopping};
}

std::string detail(const Outcome& o, const std::string& key) {
    for (const auto& [k, v] : o.details)
        if (k == key) return v;
    return "<none>";
}

bool processGone(int pid) {
    if (::kill(pid, 0) != 0) return true;
    // A killed process nobody reaps stays a zombie: it is gone all the same.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    return close != std::string::npos && line.size() > close + 2 && line[close + 2] == 'Z';
}

}  // namespace

TEST_CASE("the child gets the locale and PATH, what env: and pass_env: name, and none of the daemon's secrets") {
    TempDir dir;
    ::setenv("WATCHDOG_TEST_DB_PASS", "hunter2", 1);
    ::setenv("WATCHDOG_TEST_PASSED", "passed-on", 1);
    ::setenv("LANG", "C.UTF-8", 1);
    const std::string path = script(dir, "env.sh", "env | sort > \"$1/env\"\n");
    auto a = action("command: [" + path + ", " + dir.path() +
                    "]\nenv: [\"DNS_TOKEN=abc=def\", MODE=backup]\n"
                    "pass_env: [WATCHDOG_TEST_PASSED]\n");
    REQUIRE(a->execute(failover(), context()).ok);
    const std::string env = test::readFile(dir.file("env"));
    CHECK(env.find("hunter2") == std::string::npos);
    CHECK(env.find("DNS_TOKEN=abc=def\n") != std::string::npos);
    CHECK(env.find("MODE=backup\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_TEST_PASSED=passed-on\n") != std::string::npos);
    CHECK(env.find("LANG=C.UTF-8\n") != std::string::npos);
    CHECK(env.find("PATH=") != std::string::npos);
    CHECK(env.find("WATCHDOG_EVENT=failover\n") != std::string::npos);
    ::unsetenv("WATCHDOG_TEST_DB_PASS");
    ::unsetenv("WATCHDOG_TEST_PASSED");
    CHECK(configureError("command: [" + path + "]\nenv: [NOEQUALS]\n") ==
          "pipeline.yaml:2:6: actions.switch.env: 'NOEQUALS' is not NAME=value (e.g. \"DNS_TOKEN=${DNS_TOKEN}\")");
}

TEST_CASE("the script gets the event in WATCHDOG_* variables and as JSON on stdin") {
    TempDir dir;
    const std::string path =
        script(dir, "switch.sh", "env | grep '^WATCHDOG_' | sort > \"$1/env\"\ncat > \"$1/stdin\"\necho switched DNS to backup\n");
    auto a = action("command: [" + path + ", " + dir.path() + "]\n");
    CHECK(a->role() == ActionRole::Remedy);
    Event e = failover();
    e.details = {{"instance_id", "i-0123456789abcdef0"}, {"public-ip", "203.0.113.7"}};
    const Outcome o = a->execute(e, context());
    CHECK(o.ok);
    CHECK(o.summary == "switch.sh exited 0: switched DNS to backup");
    CHECK(detail(o, "exit_code") == "0");
    CHECK(detail(o, "output") == "switched DNS to backup\n");
    const std::string env = test::readFile(dir.file("env"));
    CHECK(env.find("WATCHDOG_EVENT=failover\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_SUMMARY=Still failing after 5m: Icecast Sources, TS File Count; running backup\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_FAILING=icecast,ts_count\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_FAILING_LABELS=Icecast Sources,TS File Count\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_INCIDENT=failover-1727364899000\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_PIPELINE=station-eu\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_TIME=2024-09-26T15:39:59.000Z\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_ACTION_ID=switch\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_DETAIL_INSTANCE_ID=i-0123456789abcdef0\n") != std::string::npos);
    CHECK(env.find("WATCHDOG_DETAIL_PUBLIC_IP=203.0.113.7\n") != std::string::npos);

    Poco::JSON::Parser parser;
    auto json = parser.parse(test::readFile(dir.file("stdin"))).extract<Poco::JSON::Object::Ptr>();
    CHECK(json->getValue<std::string>("type") == "failover");
    CHECK(json->getValue<std::string>("incident") == "failover-1727364899000");
    CHECK(json->getArray("failing")->size() == 2);
    REQUIRE(json->getArray("checks")->size() == 2);
    auto check = json->getArray("checks")->getObject(0);
    CHECK(check->getValue<std::string>("label") == "Icecast Sources");
    CHECK(check->getValue<std::string>("health") == "failing");
    CHECK(check->getValue<std::string>("summary") == "no source connected");
    CHECK(json->getObject("details")->getValue<std::string>("instance_id") == "i-0123456789abcdef0");
}

TEST_CASE("a non-zero exit is a failure carrying the first output line; output is cut to output_lines") {
    TempDir dir;
    const std::string path =
        script(dir, "fail.sh", "echo 'route53: AccessDenied' >&2\nfor i in 1 2 3 4 5 6 7 8; do echo line $i; done\nexit 3\n");
    const Outcome o = action("command: " + path + "\noutput_lines: 3\n")->execute(failover(), context());
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "fail.sh exited 3: route53: AccessDenied");
    CHECK(detail(o, "exit_code") == "3");
    CHECK(detail(o, "output") == "route53: AccessDenied\nline 1\nline 2\n\n[output truncated]");
}

TEST_CASE("no shell unless asked: arguments reach the program literally") {
    Outcome o = action("command: [echo, '$HOME; echo injected']\n")->execute(failover(), context());
    CHECK(o.ok);
    CHECK(o.summary == "echo exited 0: $HOME; echo injected");

    o = action("command: echo $WATCHDOG_EVENT | tr a-z A-Z\nshell: true\n")->execute(failover(), context());
    CHECK(o.ok);
    CHECK(o.summary == "shell command exited 0: FAILOVER");
}

TEST_CASE("a timeout kills the whole process group, children included") {
    TempDir dir;
    const std::string path = script(dir, "slow.sh", "sleep 30 &\necho $! > \"$1/child\"\necho working\nsleep 30\n");
    const Outcome o = action("command: [" + path + ", " + dir.path() + "]\ntimeout: 300ms\n")->execute(failover(), context());
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "slow.sh timed out after 300 ms; its process group was killed: working");
    const int child = std::atoi(test::readFile(dir.file("child")).c_str());
    REQUIRE(child > 0);
    CHECK(test::waitUntil([&] { return processGone(child); }, Ms(3000)));
}

TEST_CASE("a script that ignores SIGTERM is killed after kill_grace") {
    TempDir dir;
    const std::string path = script(dir, "stubborn.sh", "trap '' TERM\necho holding on\nsleep 30\n");
    const Outcome o = action("command: " + path + "\ntimeout: 200ms\nkill_grace: 100ms\n")->execute(failover(), context());
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "stubborn.sh timed out after 200 ms; its process group was killed: holding on");
    CHECK(detail(o, "signal") == "SIGKILL");
}

TEST_CASE("a background process left running does not hold the action up") {
    TempDir dir;
    const std::string path = script(dir, "daemonize.sh", "sleep 30 &\necho $! > \"$1/child\"\necho started\n");
    const Outcome o = action("command: [" + path + ", " + dir.path() + "]\ntimeout: 20s\n")->execute(failover(), context());
    CHECK(o.ok);
    CHECK(o.summary == "daemonize.sh exited 0: started");
    const int child = std::atoi(test::readFile(dir.file("child")).c_str());
    if (child > 0) ::kill(child, SIGKILL);
}

TEST_CASE("a program that does not read stdin is fine, and stdin_json: false sends nothing") {
    Event big = failover();
    for (int i = 0; i < 3000; ++i) big.checks.push_back(big.checks[0]);  // far more than a pipe buffer
    Outcome o = action("command: [true]\n")->execute(big, context());
    CHECK(o.ok);
    CHECK(o.summary == "true exited 0");
    o = action("command: [wc, -c]\nstdin_json: false\n")->execute(failover(), context());
    CHECK(o.summary == "wc exited 0: 0");
}

TEST_CASE("stopping the daemon ends a running command") {
    std::atomic<bool> stopping{false};
    auto a = action("command: [sleep, '30']\ntimeout: 1m\nkill_grace: 100ms\n");
    std::atomic<bool> done{false};
    Outcome o;
    std::thread worker([&] {
        o = a->execute(failover(), context(&stopping));
        done = true;
    });
    std::this_thread::sleep_for(Ms(100));
    stopping = true;
    CHECK(test::waitUntil([&] { return done.load(); }, Ms(5000)));
    worker.join();
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "sleep was stopped: the watchdog is stopping");
}

TEST_CASE("dry run describes the run and runs nothing; role and events options") {
    TempDir dir;
    const std::string path = script(dir, "touch.sh", "touch \"$1/ran\"\n");
    auto a = action("command: [" + path + ", " + dir.path() + "]\nrole: notifier\nevents: [warning, failover]\n");
    CHECK(a->role() == ActionRole::Notifier);
    Outcome o = a->execute(failover(), context(nullptr, true));
    CHECK(o.ok);
    CHECK(o.summary == "would run touch.sh with WATCHDOG_EVENT=failover (dry run)");
    CHECK_FALSE(Poco::File(dir.file("ran")).exists());
    Event status = failover();
    status.type = EventType::Status;
    o = a->execute(status, context());
    CHECK(o.summary == "not run: status is not in events");
    CHECK_FALSE(Poco::File(dir.file("ran")).exists());
    o = a->execute(failover(), context());
    CHECK(o.ok);
    CHECK(Poco::File(dir.file("ran")).exists());
}

TEST_CASE("bad options are one clear line") {
    CHECK(configureError("command: [/nonexistent/switch-dns, --to, backup]\n") ==
          "pipeline.yaml:1:10: actions.switch.command: '/nonexistent/switch-dns' is not an executable program");
    CHECK(configureError("command: no-such-program-xyz\n") ==
          "pipeline.yaml:1:10: actions.switch.command: 'no-such-program-xyz' is not an executable program in PATH");
    CHECK(configureError("command: echo hello\n").find("(arguments go in a list, or set shell: true)") != std::string::npos);
    CHECK(configureError("shell: true\ncommand: [a, b]\n").find("with shell: true, give one string for /bin/sh -c") != std::string::npos);
    CHECK(configureError("timeout: 5s\n").find("actions.switch.command: give the program and its arguments as a list") !=
          std::string::npos);
    CHECK(configureError("command: [true]\nrole: fixer\n").find("actions.switch.role") != std::string::npos);
    CHECK(configureError("command: [true]\nevents: [failure]\n").find("'failure' is not an event") != std::string::npos);
    CHECK(configureError("command: [true]\nworking_directory: /nonexistent\n").find("'/nonexistent' is not a directory") !=
          std::string::npos);
    CHECK(configureError("command: [true]\ntimeout: 0s\n").find("actions.switch.timeout: must be more than 0") != std::string::npos);
}

TEST_CASE("a program that cannot start is a failure outcome, not a crash") {
    TempDir dir;
    const std::string path = script(dir, "gone.sh", "exit 0\n");
    auto a = action("command: " + path + "\n");
    ::unlink(path.c_str());
    const Outcome o = a->execute(failover(), context());
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "gone.sh: cannot run " + path + ": No such file or directory");
}
