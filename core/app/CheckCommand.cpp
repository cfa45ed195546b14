#include "Commands.h"
#include "Logging.h"
#include "PipelineLoading.h"
#include "engine/Scheduler.h"
#include <watchdog/HumanFormat.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <thread>

namespace watchdog {

namespace {

/// One check's run, shared with its thread (which may outlive a timeout).
struct Run {
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    Result result;
    std::chrono::milliseconds took{0};
    std::atomic<bool> cancelled{false};
};

Poco::JSON::Object::Ptr toJson(const LoadedCheck& c, const Run& run) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("id", c.block.id);
    o->set("label", c.block.label);
    o->set("plugin", c.block.plugin);
    o->set("status", toString(run.result.status));
    o->set("summary", run.result.summary);
    if (run.result.value) o->set("value", *run.result.value);
    if (!run.result.unit.empty()) o->set("unit", run.result.unit);
    o->set("duration_ms", static_cast<Poco::Int64>(run.took.count()));
    Poco::JSON::Object::Ptr details = new Poco::JSON::Object;
    for (const auto& [k, v] : run.result.details) details->set(k, v);
    o->set("details", details);
    Poco::JSON::Array::Ptr metrics = new Poco::JSON::Array;
    for (const auto& m : run.result.metrics) {
        Poco::JSON::Object::Ptr metric = new Poco::JSON::Object;
        metric->set("name", m.name);
        if (std::isfinite(m.value)) metric->set("value", m.value);
        Poco::JSON::Object::Ptr labels = new Poco::JSON::Object;
        for (const auto& [k, v] : m.labels) labels->set(k, v);
        metric->set("labels", labels);
        metrics->add(metric);
    }
    o->set("metrics", metrics);
    return o;
}

std::string valueText(const Result& r) { return r.value ? human::quantity(*r.value, r.unit) : "-"; }

}  // namespace

int checkPipeline(const CommandLine& cmd) {
    configureConsoleLogging("warning");
    auto loaded = loadAndAssemble(cmd, AssemblyScope::ChecksAndActions, std::cerr);
    if (!loaded) return kExitError;
    const auto& checks = loaded->assembly.checks;

    std::vector<std::shared_ptr<Run>> runs;
    for (const auto& c : checks) {
        auto run = std::make_shared<Run>();
        runs.push_back(run);
        CheckContext ctx{c.block.id, c.block.label, c.block.interval, c.block.timeout, &run->cancelled};
        std::shared_ptr<Check> check = c.check;
        std::thread([run, check, ctx] {
            const auto began = std::chrono::steady_clock::now();
            Result r = runCheckSafely(*check, ctx);
            std::lock_guard<std::mutex> lock(run->mutex);
            run->result = std::move(r);
            run->took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
            run->finished = true;
            run->done.notify_all();
        }).detach();
    }
    const auto began = std::chrono::steady_clock::now();
    bool hung = false;
    int failed = 0, errors = 0;
    for (std::size_t i = 0; i < checks.size(); ++i) {
        Run& run = *runs[i];
        std::unique_lock<std::mutex> lock(run.mutex);
        // An isolated check ends its run at the timeout itself (it kills its process), with the reason:
        // wait for that rather than give up on a process that is being killed.
        const auto grace = checks[i].block.isolate == Isolation::Process ? std::chrono::seconds(2) : std::chrono::seconds(0);
        if (!run.done.wait_until(lock, began + checks[i].block.timeout + grace, [&] { return run.finished; })) {
            run.cancelled = true;
            run.result = Result::error("timed out after " + human::duration(checks[i].block.timeout));
            run.took = checks[i].block.timeout;
            hung = true;
        }
        if (run.result.status == Status::Fail) ++failed;
        if (run.result.status == Status::Error) ++errors;
    }

    if (cmd.json) {
        Poco::JSON::Object out;
        out.set("pipeline", loaded->pipeline.name);
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (std::size_t i = 0; i < checks.size(); ++i) list->add(toJson(checks[i], *runs[i]));
        out.set("checks", list);
        out.set("passed", static_cast<int>(checks.size()) - failed - errors);
        out.set("failed", failed);
        out.set("errors", errors);
        Poco::JSON::Stringifier::stringify(out, std::cout, 2);
        std::cout << '\n';
    } else {
        std::size_t width = 5;
        for (const auto& c : checks) width = std::max(width, c.block.id.size());
        std::cout << std::left << std::setw(static_cast<int>(width + 2)) << "CHECK" << std::setw(8) << "STATUS" << std::setw(14) << "VALUE"
                  << "SUMMARY\n";
        for (std::size_t i = 0; i < checks.size(); ++i) {
            const Result& r = runs[i]->result;
            std::cout << std::left << std::setw(static_cast<int>(width + 2)) << checks[i].block.id << std::setw(8) << toString(r.status)
                      << std::setw(14) << valueText(r) << r.summary << '\n';
        }
    }
    const int code = errors > 0 ? kExitError : failed > 0 ? kExitFailing : kExitOk;
    if (hung) {
        // A hung check's thread still uses its plugin: leave without unloading anything.
        std::cout.flush();
        std::fflush(nullptr);
        std::_Exit(code);
    }
    return code;
}

}  // namespace watchdog
