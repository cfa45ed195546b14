// `isolate: process` on its own: an IsolatedCheck running the scripted test plugin in a check
// process of the real binary. What a user sees is the result: a crash, exit, hang or memory blow-up
// in the plugin is an `error` result that names it, and the next run works again.
#include "TestSupport.h"
#include "config/Pipeline.h"
#include "engine/Scheduler.h"
#include "isolation/IsolatedCheck.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

/// The scripted plugin in a check process; each run first writes what the plugin does next.
class ScriptedIsolated {
public:
    explicit ScriptedIsolated(unsigned long long memoryLimit = 0, std::string library = buildDir() + "/tests/plugins/scripted.so",
                              std::string runner = watchdogBinary()) {
        RunnerSetup s;
        s.library = std::move(library);
        s.plugin = "scripted";
        s.where = "checks.c";
        s.baseDirectory = dir_.path();
        s.block = parseYaml("plugin: scripted\nfile: script.txt\n", dir_.file("pipeline.yaml"));
        s.memoryLimit = memoryLimit;
        check_ = std::make_unique<IsolatedCheck>(std::move(s), std::move(runner));
    }

    Result run(const std::string& script, std::chrono::milliseconds timeout = 10s) {
        dir_.write("script.txt", script + "\n");
        CheckContext context{"c", "C", 1s, timeout, &cancelled};
        return runCheckSafely(*check_, context);
    }

    pid_t pid() const { return check_->processId(); }
    void destroy() { check_.reset(); }
    std::atomic<bool> cancelled{false};

private:
    TempDir dir_;
    std::unique_ptr<IsolatedCheck> check_;
};

std::string statusOf(const Result& r) { return toString(r.status); }

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

/// Every message logged through Poco while it is installed.
class CapturedLog : public Poco::Channel {
public:
    void log(const Poco::Message& m) override {
        std::lock_guard<std::mutex> lock(mutex);
        lines.push_back(m.getSource() + ": " + m.getText());
    }
    std::string text() {
        std::lock_guard<std::mutex> lock(mutex);
        std::string all;
        for (const auto& l : lines) all += l + "\n";
        return all;
    }
    std::mutex mutex;
    std::vector<std::string> lines;
};

}  // namespace

TEST_CASE("a segfault, an abort or an exit in the plugin is an error result naming it, and the next run starts a new process") {
    ScriptedIsolated c;
    Result r = c.run("pass all good");
    CHECK(statusOf(r) == "pass");
    CHECK(r.summary == "all good");
    const pid_t first = c.pid();
    CHECK(first != ::getpid());
    CHECK(alive(first));

    r = c.run("segfault");
    CHECK(statusOf(r) == "error");
    CHECK(r.summary.rfind("check process died of SIGSEGV", 0) == 0);
    CHECK(c.pid() == -1);
    CHECK_FALSE(alive(first));

    r = c.run("pass back again");
    CHECK(statusOf(r) == "pass");
    CHECK(r.summary == "back again");
    CHECK(c.pid() != first);

    r = c.run("abort");
    CHECK(statusOf(r) == "error");
    CHECK(r.summary.rfind("check process died of SIGABRT", 0) == 0);

    r = c.run("exit 3");
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "check process exited with status 3 without a result");

    r = c.run("exit 0");
    CHECK(r.summary == "check process exited with status 0 without a result");
    CHECK(statusOf(c.run("pass")) == "pass");
}

TEST_CASE("a run past its timeout kills the check process, and the next run starts afresh") {
    ScriptedIsolated c;
    REQUIRE(statusOf(c.run("pass")) == "pass");
    const pid_t hung = c.pid();
    const Result r = c.run("hang", 200ms);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "timed out after 200 ms; check process killed");
    CHECK_FALSE(alive(hung));
    CHECK(c.run("pass after the hang").summary == "after the hang");
}

TEST_CASE("a run cancelled by the daemon (stopping) kills the check process without waiting for the timeout") {
    ScriptedIsolated c;
    std::thread stopper([&] {
        waitUntil([&] { return c.pid() > 0; }, 10s);
        c.cancelled = true;
    });
    const Result r = c.run("hang", 60s);
    stopper.join();
    CHECK(statusOf(r) == "error");
    CHECK(c.pid() == -1);
}

// AddressSanitizer reserves terabytes of address space and reports an allocation failure itself:
// RLIMIT_AS means nothing under it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressLimitsWork = false;
#else
constexpr bool kAddressLimitsWork = true;
#endif

TEST_CASE("a plugin that allocates without bound is stopped at isolate_memory" * doctest::skip(!kAddressLimitsWork)) {
    ScriptedIsolated c(128ULL << 20);
    const Result r = c.run("allocate");
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "check process killed after using more than 128 MiB (isolate_memory)");
    CHECK(c.run("pass fits").summary == "fits");
}

TEST_CASE("the plugin keeps its state between runs in one process, and starts afresh after a crash") {
    ScriptedIsolated c;
    CHECK(c.run("count").value == 1.0);
    CHECK(c.run("count").value == 2.0);
    const Result third = c.run("count");
    CHECK(third.value == 3.0);
    CHECK(third.summary == "run 3 in process " + std::to_string(c.pid()));
    c.run("segfault");
    CHECK(c.run("count").value == 1.0);
}

TEST_CASE("an exception, a failure and a value come back as they would from the plugin in the daemon") {
    ScriptedIsolated c;
    Result r = c.run("throw disk on fire");
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "check failed: disk on fire");
    const pid_t pid = c.pid();
    CHECK(pid > 0);  // an exception is a result, not a death

    r = c.run("fail 40 segments, at most 30\nvalue=40");
    CHECK(statusOf(r) == "fail");
    CHECK(r.summary == "40 segments, at most 30");
    REQUIRE(r.value);
    CHECK(*r.value == 40.0);
    CHECK(c.pid() == pid);

    r = c.run("error caf\xc3\xa9 \xff line\x1b[31m");
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "caf\xc3\xa9 \\xFF line\\e[31m");
}

TEST_CASE("the plugin's log lines reach the daemon's log") {
    Poco::AutoPtr<CapturedLog> captured(new CapturedLog);
    Poco::Logger& isolation = Poco::Logger::get("watchdog.isolation");
    Poco::AutoPtr<Poco::Channel> before(isolation.getChannel(), true);
    isolation.setChannel(captured);
    {
        ScriptedIsolated c;
        CHECK(c.run("log the encoder looks odd").summary == "logged");
        c.run("segfault");
    }
    isolation.setChannel(before);
    const std::string log = captured->text();
    CHECK(log.find("watchdog.plugin.scripted: the encoder looks odd") != std::string::npos);
    CHECK(log.find("died of SIGSEGV") != std::string::npos);
    CHECK(log.find("a new one starts for the next run") != std::string::npos);
}

TEST_CASE("a check process that cannot start or load its plugin says why, every run") {
    ScriptedIsolated missingRunner(0, buildDir() + "/tests/plugins/scripted.so", "/nonexistent/encoder-watchdog");
    Result r = missingRunner.run("pass");
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "cannot start the check process: cannot start /nonexistent/encoder-watchdog: No such file or directory");

    ScriptedIsolated brokenPlugin(0, buildDir() + "/tests/plugins/throws_in_configure.so");
    r = brokenPlugin.run("pass");
    CHECK(statusOf(r) == "error");
    CHECK(r.summary.rfind("check process could not set up the plugin: ", 0) == 0);
    CHECK(brokenPlugin.pid() == -1);
}

TEST_CASE("destroying the check ends its check process") {
    ScriptedIsolated c;
    REQUIRE(statusOf(c.run("pass")) == "pass");
    const pid_t pid = c.pid();
    c.destroy();
    CHECK_FALSE(alive(pid));
}

TEST_CASE("isolate and isolate_memory are core options of every check, validated with the others") {
    TempDir dir;
    auto load = [&](const std::string& check) {
        return readPipeline(dir.write("pipeline.yaml", "checks:\n  c:\n    plugin: scripted\n    file: s.txt\n" + check));
    };
    Pipeline p = load("");
    REQUIRE(p.problems.empty());
    CHECK(p.checks[0].isolate == Isolation::None);

    p = load("    isolate: process\n");
    REQUIRE(p.problems.empty());
    CHECK(p.checks[0].isolate == Isolation::Process);
    CHECK(p.checks[0].isolateMemory == 256ULL << 20);

    p = load("    isolate: process\n    isolate_memory: 1G\n");
    REQUIRE(p.problems.empty());
    CHECK(p.checks[0].isolateMemory == 1ULL << 30);
    CHECK(load("    isolate: process\n    isolate_memory: 0\n").checks[0].isolateMemory == 0);

    p = load("    isolate: thread\n");
    REQUIRE(p.problems.size() == 1);
    CHECK(std::string(p.problems[0].what()).find("pipeline.yaml:5:14: checks.c.isolate: 'thread' is not one of: none, process") !=
          std::string::npos);

    p = load("    isolate_memory: 512M\n");
    REQUIRE(p.problems.size() == 1);
    CHECK(std::string(p.problems[0].what()).find("checks.c.isolate_memory: applies only with isolate: process") != std::string::npos);

    p = load("    isolate: process\n    isolate_memory: 1M\n");
    REQUIRE(p.problems.size() == 1);
    CHECK(std::string(p.problems[0].what()).find("checks.c.isolate_memory: must be at least 16M, or 0 for no limit") != std::string::npos);
}
