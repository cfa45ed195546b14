// `isolate: process` in the real binary: `check` and `run` with checks that crash, abort, exit, hang
// and allocate without bound. The daemon keeps running and recording, names what happened, the
// other checks keep passing, and SIGTERM still stops it cleanly with no check process left behind.
#include "DaemonFixture.h"

#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <signal.h>

#include <dirent.h>

#include <sstream>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

/// One result line of the jsonl sink.
struct Recorded {
    std::string check;
    std::string status;
    std::string summary;
};

std::vector<Recorded> results(const DaemonFixture& f) {
    std::vector<Recorded> out;
    std::string text = readFile(f.dir().file("history.jsonl"));
    text.erase(text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        Poco::JSON::Parser parser;
        auto o = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
        if (o->getValue<std::string>("kind") != "result") continue;
        out.push_back({o->getValue<std::string>("check"), o->getValue<std::string>("status"), o->getValue<std::string>("summary")});
    }
    return out;
}

/// How many results of `check` have a summary starting with `prefix`.
int count(const std::vector<Recorded>& all, const std::string& check, const std::string& prefix) {
    int n = 0;
    for (const auto& r : all) n += r.check == check && r.summary.rfind(prefix, 0) == 0;
    return n;
}

/// The check processes the daemon `pid` runs now.
std::vector<int> checkProcesses(int pid) {
    std::vector<int> out;
    DIR* proc = ::opendir("/proc");
    while (dirent* e = proc ? ::readdir(proc) : nullptr) {
        const int child = std::atoi(e->d_name);
        if (child <= 0) continue;
        const std::string stat = readFile("/proc/" + std::to_string(child) + "/stat");
        const auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream fields(stat.substr(close + 2));
        std::string state;
        int parent = 0;
        fields >> state >> parent;
        if (parent == pid && readFile("/proc/" + std::to_string(child) + "/cmdline").find("__check-runner") != std::string::npos)
            out.push_back(child);
    }
    if (proc) ::closedir(proc);
    return out;
}

/// The JSON document `check --json` printed; the log's warnings on stderr come before it.
std::string jsonPart(const std::string& out) {
    const auto start = out.rfind("\n{\n");
    return start == std::string::npos ? out : out.substr(start + 1);
}

bool isCheckProcess(int pid) { return readFile("/proc/" + std::to_string(pid) + "/cmdline").find("__check-runner") != std::string::npos; }

// AddressSanitizer reserves terabytes of address space and reports an allocation failure itself:
// RLIMIT_AS means nothing under it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressLimitsWork = false;
#else
constexpr bool kAddressLimitsWork = true;
#endif

const char* kRunPipeline = R"(checks:
  crasher:
    plugin: scripted
    file: crasher.txt
    interval: 50ms
    timeout: 300ms
    isolate: process
  steady:
    plugin: scripted
    file: steady.txt
    interval: 50ms
actions:
  notes: { plugin: recorder, file: notes.jsonl }
rules:
  online: { on: startup, then: notes }
  errors: { on: check_error, then: notes, throttle: 1h }
sinks:
  - { plugin: jsonl, path: history.jsonl, fsync: false }
)";

}  // namespace

TEST_CASE("check: each way a plugin can die in its check process is an error line naming it; the others still pass") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(R"(checks:
  crash: { plugin: scripted, file: crash.txt, isolate: process }
  aborts: { plugin: scripted, file: aborts.txt, isolate: process }
  quits: { plugin: scripted, file: quits.txt, isolate: process }
  hangs: { plugin: scripted, file: hangs.txt, isolate: process, timeout: 300ms }
  hungry: { plugin: scripted, file: hungry.txt, isolate: process, isolate_memory: 64M }
  healthy: { plugin: scripted, file: healthy.txt, isolate: process }
  inside: { plugin: scripted, file: inside.txt }
sinks:
  - plugin: sink_only
)");
    f.script("crash", "segfault");
    f.script("aborts", "abort");
    f.script("quits", "exit 3");
    f.script("hangs", "hang");
    f.script("hungry", "allocate");
    f.script("healthy", "pass all good");
    f.script("inside", "pass in the daemon");
    auto [code, out] = runCommand(f.command("check", {pipeline, "--json"}), 20s);
    CHECK(code == 3);
    Poco::JSON::Parser parser;
    auto json = parser.parse(jsonPart(out)).extract<Poco::JSON::Object::Ptr>();
    std::map<std::string, std::pair<std::string, std::string>> seen;
    auto checks = json->getArray("checks");
    for (std::size_t i = 0; i < checks->size(); ++i) {
        auto c = checks->getObject(i);
        seen[c->getValue<std::string>("id")] = {c->getValue<std::string>("status"), c->getValue<std::string>("summary")};
    }
    CHECK(seen["crash"].first == "error");
    CHECK(seen["crash"].second.rfind("check process died of SIGSEGV", 0) == 0);
    CHECK(seen["aborts"].second.rfind("check process died of SIGABRT", 0) == 0);
    CHECK(seen["quits"].second == "check process exited with status 3 without a result");
    CHECK(seen["hangs"].second == "timed out after 300 ms; check process killed");
    if (kAddressLimitsWork)
        CHECK(seen["hungry"].second == "check process killed after using more than 64 MiB (isolate_memory)");
    else
        CHECK(seen["hungry"].first == "error");
    CHECK(seen["healthy"] == std::make_pair(std::string("pass"), std::string("all good")));
    CHECK(seen["inside"] == std::make_pair(std::string("pass"), std::string("in the daemon")));
    CHECK(json->getValue<int>("errors") == 5);
    CHECK(json->getValue<int>("passed") == 2);

    std::tie(code, out) = runCommand(f.command("check", {pipeline}), 20s);
    CHECK(code == 3);
    CHECK(out.find("check process died of SIGSEGV") != std::string::npos);
}

TEST_CASE("run: a crashing isolated check is recorded as an error naming the signal while the daemon and the other checks carry on") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(kRunPipeline);
    f.script("crasher", "segfault");
    f.script("steady", "pass steady");
    ChildProcess daemon(f.command("run", {pipeline}));
    REQUIRE(f.waitForEvent("notes.jsonl", "check_error"));
    const auto events = f.events("notes.jsonl");
    auto error = std::find_if(events.begin(), events.end(), [](const RecordedEvent& e) { return e.type == "check_error"; });
    CHECK(error->summary.find("check process died of SIGSEGV") != std::string::npos);

    // Crash after crash: each is a result, and the steady check's passes keep coming between them.
    REQUIRE(waitUntil([&] { return count(results(f), "crasher", "check process died of SIGSEGV") >= 3; }, 10s));
    const std::size_t seenSoFar = results(f).size();
    REQUIRE(waitUntil(
        [&] {
            const auto all = results(f);
            return all.size() > seenSoFar + 4 &&
                   count(std::vector<Recorded>(all.begin() + static_cast<long>(seenSoFar), all.end()), "steady", "steady") >= 2;
        },
        10s));
    CHECK(daemon.running());

    // The plugin is fixed (or the crash was a one-off): the next run starts a new process and passes.
    f.script("crasher", "pass recovered");
    REQUIRE(waitUntil([&] { return count(results(f), "crasher", "recovered") >= 1; }, 10s));
    const std::vector<int> workers = checkProcesses(daemon.pid());
    CHECK(workers.size() == 1);  // only the isolated check has one

    daemon.signal(SIGTERM);
    CHECK(daemon.wait(10s) == 0);
    CHECK(daemon.output().find("stopping on SIGTERM") != std::string::npos);
    CHECK(daemon.output().find("died of SIGSEGV; a new one starts for the next run") != std::string::npos);
    for (int pid : workers) CHECK_FALSE(isCheckProcess(pid));
}

TEST_CASE("run: a hung isolated check is killed at its timeout, runs again at the next interval, and SIGTERM during a hang stops at once") {
    DaemonFixture f;
    const std::string pipeline = f.writePipeline(kRunPipeline);
    f.script("crasher", "hang");
    f.script("steady", "pass steady");
    ChildProcess daemon(f.command("run", {pipeline}));
    REQUIRE(waitUntil([&] { return count(results(f), "crasher", "timed out after 300 ms") >= 1; }, 10s));
    // In the daemon's own threads the hung run would sleep for 30 s before the check ran again.
    f.script("crasher", "pass awake");
    REQUIRE(waitUntil([&] { return count(results(f), "crasher", "awake") >= 1; }, 10s));

    f.script("crasher", "hang");
    REQUIRE(waitUntil([&] { return count(results(f), "crasher", "timed out after 300 ms") >= 2; }, 10s));
    const std::vector<int> workers = checkProcesses(daemon.pid());
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(10s) == 0);
    for (int pid : workers) CHECK_FALSE(isCheckProcess(pid));
}
