// ProcessRunner against real processes (/bin/sh scripts): exit codes, signals, start errors, the
// timeout and a cancel ending the whole group (grandchildren too), SIGTERM before SIGKILL, what a
// child leaves running, bounded output (separate and interleaved), stdin, the exact environment,
// the working directory and the child's own session or process group.
#include "ProcessRunner.h"

#include "TestSupport.h"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <string>

using namespace watchdog::common;
using watchdog::test::readFile;
using watchdog::test::TempDir;
using watchdog::test::waitUntil;
using namespace std::chrono_literals;

namespace {

ProcessSpec shell(const std::string& script) {
    ProcessSpec spec;
    spec.program = "/bin/sh";
    spec.argv = {"sh", "-c", script};
    spec.environment = {"PATH=/usr/bin:/bin"};
    spec.timeout = 20s;
    return spec;
}

bool alive(int pid) {
    const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(") ");
    return close != std::string::npos && stat[close + 2] != 'Z';
}

int pidIn(const std::string& file) { return std::atoi(readFile(file).c_str()); }

}  // namespace

TEST_CASE("an exit: its code, stdout and stderr apart, and how long it took") {
    const ProcessResult r = runProcess(shell("echo out; echo err >&2; exit 3"));
    CHECK(r.started);
    CHECK(r.startError == "");
    CHECK(r.exitCode == 3);
    CHECK(r.signal == 0);
    CHECK(r.out == "out\n");
    CHECK(r.err == "err\n");
    CHECK_FALSE(r.outTruncated);
    CHECK_FALSE(r.errTruncated);
    CHECK_FALSE(r.timedOut);
    CHECK_FALSE(r.cancelled);
    CHECK(r.took >= 0ms);
}

TEST_CASE("a signal that ends the child is reported, with no exit code") {
    const ProcessResult r = runProcess(shell("echo partial; kill -SEGV $$"));
    CHECK(r.started);
    CHECK(r.signal == SIGSEGV);
    CHECK(r.exitCode == -1);
    CHECK(r.out == "partial\n");
}

TEST_CASE("a program that cannot start says why instead of exiting 127") {
    ProcessSpec missing = shell("");
    missing.program = "/nonexistent/check_thing";
    ProcessResult r = runProcess(missing);
    CHECK_FALSE(r.started);
    CHECK(r.startError == "No such file or directory");

    ProcessSpec unknown = shell("");
    unknown.program = "";
    unknown.argv = {"no-such-program-xyz"};
    r = runProcess(unknown);
    CHECK_FALSE(r.started);
    CHECK(r.startError == "No such file or directory");

    TempDir dir;
    ProcessSpec notExecutable = shell("");
    notExecutable.program = dir.write("plain.sh", "exit 0\n");
    r = runProcess(notExecutable);
    CHECK_FALSE(r.started);
    CHECK(r.startError == "Permission denied");

    ProcessSpec nothing;
    r = runProcess(nothing);
    CHECK_FALSE(r.started);
    CHECK(r.startError == "no command");
}

TEST_CASE("a name without a slash is looked up in PATH, argv[0] as given") {
    ProcessSpec spec = shell("");
    spec.program = "";
    spec.argv = {"sh", "-c", "echo \"$0\""};
    const ProcessResult r = runProcess(spec);
    CHECK(r.exitCode == 0);
    CHECK(r.out == "sh\n");
}

TEST_CASE("at the timeout the whole group gets SIGKILL, a grandchild too") {
    TempDir dir;
    ProcessSpec spec = shell("sleep 30 & echo $! > " + dir.file("child") + "; echo working; sleep 30");
    spec.timeout = 200ms;
    const ProcessResult r = runProcess(spec);
    CHECK(r.timedOut);
    CHECK_FALSE(r.cancelled);
    CHECK(r.signal == SIGKILL);
    CHECK(r.out == "working\n");
    CHECK(r.took >= spec.timeout);
    const int child = pidIn(dir.file("child"));
    REQUIRE(child > 0);
    CHECK(waitUntil([&] { return !alive(child); }, 3000ms));
}

TEST_CASE("with a kill grace the group gets SIGTERM first, and SIGKILL if it holds on") {
    ProcessSpec polite = shell("trap 'echo terminated; exit 5' TERM; echo ready; while :; do sleep 0.01; done");
    polite.timeout = 100ms;
    polite.killGrace = 5s;
    ProcessResult r = runProcess(polite);
    CHECK(r.timedOut);
    CHECK(r.exitCode == 5);
    CHECK(r.out == "ready\nterminated\n");

    ProcessSpec stubborn = shell("trap '' TERM; echo holding on; sleep 30");
    stubborn.timeout = 100ms;
    stubborn.killGrace = 50ms;
    r = runProcess(stubborn);
    CHECK(r.timedOut);
    CHECK(r.signal == SIGKILL);
    CHECK(r.out == "holding on\n");
}

TEST_CASE("the stop test ends the group as the timeout would, reported as cancelled") {
    TempDir dir;
    ProcessSpec spec = shell("sleep 30 & echo $! > " + dir.file("child") + "; sleep 30");
    ProcessResult r = runProcess(spec, [&] { return !readFile(dir.file("child")).empty(); });
    CHECK(r.cancelled);
    CHECK_FALSE(r.timedOut);
    CHECK(r.signal == SIGKILL);
    const int child = pidIn(dir.file("child"));
    REQUIRE(child > 0);
    CHECK(waitUntil([&] { return !alive(child); }, 3000ms));

    ProcessSpec graceful = shell("exec sleep 30");
    graceful.killGrace = 5s;
    r = runProcess(graceful, [] { return true; });
    CHECK(r.cancelled);
    CHECK(r.signal == SIGTERM);
}

TEST_CASE("what the child leaves running is killed when it exits, unless asked to keep it") {
    TempDir dir;
    ProcessSpec spec = shell("sleep 30 & echo $! > " + dir.file("left") + "; echo done");
    ProcessResult r = runProcess(spec);
    CHECK(r.exitCode == 0);
    CHECK(r.out == "done\n");
    const int left = pidIn(dir.file("left"));
    REQUIRE(left > 0);
    CHECK(waitUntil([&] { return !alive(left); }, 3000ms));

    spec.killLeftoversOnExit = false;
    r = runProcess(spec);
    CHECK(r.exitCode == 0);
    CHECK(r.out == "done\n");
    const int kept = pidIn(dir.file("left"));
    REQUIRE(kept > 0);
    CHECK(alive(kept));
    ::kill(kept, SIGKILL);
}

TEST_CASE("output is kept within its limits; the rest is read and dropped") {
    ProcessSpec spec = shell("head -c 100000 /dev/zero | tr '\\000' o; head -c 50000 /dev/zero | tr '\\000' e >&2; exit 2");
    spec.outLimit.bytes = 1000;
    spec.errLimit.bytes = 10;
    ProcessResult r = runProcess(spec);
    CHECK(r.exitCode == 2);
    CHECK(r.out == std::string(1000, 'o'));
    CHECK(r.outTruncated);
    CHECK(r.err == std::string(10, 'e'));
    CHECK(r.errTruncated);

    ProcessSpec exact = shell("printf 12345");
    exact.outLimit.bytes = 5;
    r = runProcess(exact);
    CHECK(r.out == "12345");
    CHECK_FALSE(r.outTruncated);
}

TEST_CASE("stderr interleaved with stdout, within a line and a byte limit") {
    ProcessSpec spec = shell("echo 1; echo 2 >&2; echo 3; echo 4 >&2");
    spec.stderrToStdout = true;
    ProcessResult r = runProcess(spec);
    CHECK(r.out == "1\n2\n3\n4\n");
    CHECK(r.err == "");

    spec.outLimit.lines = 3;
    r = runProcess(spec);
    CHECK(r.out == "1\n2\n3\n");
    CHECK(r.outTruncated);

    spec.outLimit = {5};
    r = runProcess(spec);
    CHECK(r.out == "1\n2\n3");
    CHECK(r.outTruncated);
}

TEST_CASE("stdin: /dev/null, or the input then end of file, also to a child that does not read it") {
    ProcessResult r = runProcess(shell("readlink /proc/self/fd/0; cat"));
    CHECK(r.exitCode == 0);
    CHECK(r.out == "/dev/null\n");

    ProcessSpec fed = shell("cat; echo end");
    fed.input = "line one\nline two\n";
    r = runProcess(fed);
    CHECK(r.out == "line one\nline two\nend\n");

    fed.input = "";
    r = runProcess(fed);
    CHECK(r.out == "end\n");

    ProcessSpec deaf = shell("echo ignored");
    deaf.input = std::string(4 * 1024 * 1024, 'x');  // far more than a socket buffer
    r = runProcess(deaf);
    CHECK(r.exitCode == 0);
    CHECK(r.out == "ignored\n");
}

TEST_CASE("the child's environment is exactly the one given") {
    ::setenv("WATCHDOG_TEST_SECRET", "do-not-pass", 1);
    ProcessSpec spec;
    spec.program = "/usr/bin/env";
    spec.argv = {"env"};
    spec.environment = {"STATION=eu", "GREETING=hello world"};
    const ProcessResult r = runProcess(spec);
    CHECK(r.exitCode == 0);
    CHECK(r.out == "STATION=eu\nGREETING=hello world\n");
    ::unsetenv("WATCHDOG_TEST_SECRET");
}

TEST_CASE("the working directory, and a new session or only a new process group") {
    TempDir dir;
    ProcessSpec spec = shell(
        "pwd; read -r pid comm state ppid pgrp sid rest < /proc/$$/stat; "
        "[ $pgrp = $pid ] && echo own-group; [ $sid = $pid ] && echo own-session; true");
    spec.workingDirectory = dir.path();
    ProcessResult r = runProcess(spec);
    CHECK(r.out == dir.path() + "\nown-group\nown-session\n");

    spec.ownSession = false;
    r = runProcess(spec);
    CHECK(r.out == dir.path() + "\nown-group\n");
}
