// How long the exec action takes per run (spawn, environment, stdin JSON, capture, reap).
#include "ExecAction.h"

#include "config/ConfigNode.h"

#include <chrono>
#include <cstdio>

using namespace watchdog;
using namespace watchdog::exec;
using BenchClock = std::chrono::steady_clock;

namespace {

void bench(const char* name, const std::string& yaml, int rounds) {
    Options options(parseYaml(yaml, "bench.yaml"), "actions.exec", "/tmp");
    ExecAction action;
    action.configure(options);
    Event e;
    e.type = EventType::Failover;
    e.time = std::chrono::system_clock::now();
    e.summary = "Still failing after 5m";
    e.failing = {"icecast", "ts_count"};
    for (int i = 0; i < 4; ++i) {
        CheckSnapshot c;
        c.id = "check" + std::to_string(i);
        c.hasResult = true;
        c.last = Result::fail("failing");
        e.checks.push_back(c);
    }
    const ActionContext ctx{"exec", "exec", false, nullptr};
    int ok = 0;
    const auto t0 = BenchClock::now();
    for (int i = 0; i < rounds; ++i) ok += action.execute(e, ctx).ok;
    const double s = std::chrono::duration<double>(BenchClock::now() - t0).count();
    std::printf("%-40s %5d runs  %7.1f runs/s  %6.2f ms/run  %d ok\n", name, rounds, rounds / s, s / rounds * 1e3, ok);
}

}  // namespace

int main() {
    bench("exec [true]", "command: [true]\n", 300);
    bench("exec [cat] (reads the stdin JSON)", "command: [cat]\n", 300);
    bench("exec shell: 'echo $WATCHDOG_EVENT'", "command: echo $WATCHDOG_EVENT\nshell: true\n", 300);
    return 0;
}
