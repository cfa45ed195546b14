// Integration tests: the nagios check running the monitoring-plugins-basic package's own plugins
// (check_dummy, check_tcp, check_disk, check_procs) and scripts that time out, leave children
// behind, die by a signal or read their environment.
#include "NagiosCheck.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include "plugins/PluginLoader.h"

#include <doctest/doctest.h>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <sys/stat.h>

using namespace watchdog;
using namespace watchdog::nagios;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<NagiosCheck> makeCheck(const std::string& yaml) { return configure<NagiosCheck>(yaml, "checks.nagios", "/tmp"); }

Result runOnce(NagiosCheck& check, std::chrono::milliseconds timeout = 10s) {
    CheckContext ctx{"nagios", "Nagios plugin", 1s, timeout, nullptr};
    return check.run(ctx);
}

std::string detailOf(const Result& r, const std::string& key) {
    for (const auto& [k, v] : r.details)
        if (k == key) return v;
    return "(absent)";
}

// True while the process exists and is not a zombie.
bool alive(int pid) {
    const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(") ");
    return close != std::string::npos && stat[close + 2] != 'Z';
}

std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
    const std::string path = dir.write(name, "#!/bin/sh\n" + body);
    ::chmod(path.c_str(), 0755);
    return path;
}

}  // namespace

TEST_CASE("check_dummy: every exit code becomes the documented result") {
    struct Case {
        const char* state;
        const char* status;
        const char* summary;
    };
    for (const Case& c :
         {Case{"0", "pass", "OK: all fine"}, Case{"1", "fail", "WARNING: all fine"}, Case{"2", "fail", "CRITICAL: all fine"},
          Case{"3", "error", "UNKNOWN: all fine"}, Case{"4", "error", "UNKNOWN: Status 4 is not a supported error state"}}) {
        CAPTURE(c.state);
        Result r = runOnce(*makeCheck(std::string("command: [check_dummy, '") + c.state + "', all fine]\n"));
        CHECK(statusOf(r) == c.status);
        CHECK(r.summary == c.summary);
        CHECK(detailOf(r, "program") == "/usr/lib/nagios/plugins/check_dummy");
    }
    Result passes = runOnce(*makeCheck("command: [check_dummy, '1', slow disk]\nwarning_passes: true\n"));
    CHECK(statusOf(passes) == "pass");
    CHECK(passes.summary == "WARNING: slow disk");
    CHECK(detailOf(passes, "state") == "WARNING (exit 1), passes: warning_passes");

    Result usage = runOnce(*makeCheck("command: [check_dummy]\n"));
    CHECK(statusOf(usage) == "error");
    CHECK(usage.summary == "check_dummy: Could not parse arguments");
    CHECK(detailOf(usage, "long output").find("check_dummy <integer state> [optional text]") != std::string::npos);
}

TEST_CASE("check_tcp against a listening port passes with its response time; a closed port fails") {
    Poco::Net::ServerSocket listening(Poco::Net::SocketAddress("127.0.0.1", 0));
    const std::string port = std::to_string(listening.address().port());
    Result open = runOnce(*makeCheck("command: [check_tcp, -H, 127.0.0.1, -p, '" + port + "']\n"));
    CHECK(statusOf(open) == "pass");
    CHECK(open.summary.rfind("TCP OK - ", 0) == 0);
    CHECK(open.summary.find(" second response time on 127.0.0.1 port " + port) != std::string::npos);
    REQUIRE(open.value);
    CHECK(*open.value >= 0);
    CHECK(open.unit == "s");
    CHECK(detailOf(open, "time").find("s (min 0.000000, max 10.000000)") != std::string::npos);

    const std::string closed = std::to_string(freeLoopbackPort());
    Result refused = runOnce(*makeCheck("command: [check_tcp, -H, 127.0.0.1, -p, '" + closed + "']\n"));
    CHECK(statusOf(refused) == "fail");
    CHECK(refused.summary == "connect to address 127.0.0.1 and port " + closed + ": Connection refused");
    CHECK(detailOf(refused, "state") == "CRITICAL (exit 2)");
}

TEST_CASE("check_disk and check_procs: real perfdata becomes the value and the details") {
    Result disk = runOnce(*makeCheck("command: [check_disk, -w, 1%, -c, 0%, -p, /]\n"));
    CHECK(statusOf(disk) != "error");
    CHECK(disk.summary.rfind("DISK ", 0) == 0);
    REQUIRE(disk.value);
    CHECK(*disk.value > 0);
    CHECK(disk.unit == "B");
    CHECK(detailOf(disk, "/").find("B (warn ") != std::string::npos);

    Result procs = runOnce(*makeCheck("command: [check_procs, -w, '100000']\n"));
    CHECK(statusOf(procs) == "pass");
    CHECK(procs.summary.rfind("PROCS OK: ", 0) == 0);
    REQUIRE(procs.value);
    CHECK(*procs.value >= 1);
    CHECK(procs.unit == "");
}

TEST_CASE("a plugin that outlives the timeout is killed with the child it started") {
    TempDir dir;
    const std::string slow = script(
        dir, "check_slow",
        "sleep 30 &\necho $! > " + dir.file("child.pid") + "\necho $$ > " + dir.file("parent.pid") + "\necho 'still thinking'\nsleep 30\n");
    auto check = makeCheck("command: [" + slow + "]\n");
    Result r = runOnce(*check, 1s);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "check_slow timed out after 900 ms; its process group was killed");
    CHECK(detailOf(r, "state") == "timed out");
    const int parent = std::atoi(readFile(dir.file("parent.pid")).c_str());
    const int child = std::atoi(readFile(dir.file("child.pid")).c_str());
    REQUIRE(parent > 0);
    REQUIRE(child > 0);
    CHECK(waitUntil([&] { return !alive(parent) && !alive(child); }, 2s));
}

TEST_CASE("a run the scheduler cancels (timed out, daemon stopping) kills the plugin at once") {
    std::atomic<bool> cancelled{true};
    CheckContext ctx{"nagios", "Nagios plugin", 1s, 60s, &cancelled};
    Result r = makeCheck("command: [sleep, '30']\n")->run(ctx);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "sleep was stopped: the run was cancelled");
}

TEST_CASE("what a plugin leaves running when it exits is killed; stdin is empty, so a reader does not hang") {
    TempDir dir;
    auto check = makeCheck("command: \"sleep 30 & echo $! > " + dir.file("left.pid") + "; cat; echo 'OK - done | n=1'\"\nshell: true\n");
    Result r = runOnce(*check);
    CHECK(statusOf(r) == "pass");
    CHECK(r.summary == "OK - done");
    CHECK(r.value == 1);
    const int left = std::atoi(readFile(dir.file("left.pid")).c_str());
    REQUIRE(left > 0);
    CHECK(waitUntil([&] { return !alive(left); }, 2s));
}

TEST_CASE("an exit code beyond 3 or a signal is an error with what the plugin said") {
    Result odd = runOnce(*makeCheck("command: \"echo 'odd output|x=1'; exit 42\"\nshell: true\n"));
    CHECK(statusOf(odd) == "error");
    CHECK(odd.summary == "shell command exited with 42, not a plugin state (0-3): odd output");
    CHECK(odd.value == 1);

    Result crashed = runOnce(*makeCheck("command: \"echo partial; kill -SEGV $$\"\nshell: true\n"));
    CHECK(statusOf(crashed) == "error");
    CHECK(crashed.summary == "shell command was killed by SIGSEGV: partial");

    Result missing = runOnce(*makeCheck("command: \"check_not_installed_anywhere\"\nshell: true\n"));
    CHECK(statusOf(missing) == "error");
    CHECK(missing.summary == "shell command exited with 127, not a plugin state (0-3): sh: 1: check_not_installed_anywhere: not found");
}

TEST_CASE("the plugin sees PATH, LANG and env: entries only") {
    ::setenv("WATCHDOG_TEST_SECRET", "do-not-pass", 1);
    Result r = runOnce(*makeCheck("command: [env]\nenv: [STATION=eu, 'GREETING=hello world']\n"));
    CHECK(statusOf(r) == "pass");
    CHECK(r.summary.rfind("PATH=", 0) == 0);
    CHECK(r.summary.find(":/usr/lib/nagios/plugins") != std::string::npos);
    CHECK(detailOf(r, "long output") == "LANG=C\nSTATION=eu\nGREETING=hello world");
}

TEST_CASE("a plugin removed after configure is an error naming it") {
    TempDir dir;
    const std::string copy = dir.file("check_dummy");
    std::filesystem::copy_file("/usr/lib/nagios/plugins/check_dummy", copy);
    ::chmod(copy.c_str(), 0755);
    auto check = makeCheck("command: [" + copy + ", '0']\n");
    CHECK(statusOf(runOnce(*check)) == "pass");
    std::filesystem::remove(copy);
    Result r = runOnce(*check);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "cannot run " + copy + ": No such file or directory");
}

TEST_CASE("nagios.so loads through the plugin loader and runs check_dummy") {
    PluginLoader loader({pluginDir()});
    auto check = loader.createCheck("nagios");
    configureFrom(*check, "command: [check_dummy, '2', 'disk full']\n", "checks.nagios", "/tmp");
    CheckContext ctx{"nagios", "Nagios plugin", 1s, 5s, nullptr};
    Result r = check->run(ctx);
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "CRITICAL: disk full");
}
