#include "Commands.h"
#include "Logging.h"
#include "PipelineLoading.h"
#include "http/StatusServer.h"

#include <Poco/Logger.h>

#include <csignal>
#include <iostream>
#include <sstream>

namespace watchdog {

namespace {

sigset_t handledSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1}) sigaddset(&set, s);
    return set;
}

/// The running pipeline: its plugins and the engine built on them (destroyed engine first).
struct Running {
    LoadedPipeline loaded;
    std::unique_ptr<Engine> engine;
    std::unique_ptr<StatusServer> http;

    ~Running() {
        if (http) http->stop();
        http.reset();
        engine.reset();
    }
};

std::unique_ptr<Running> startRunning(LoadedPipeline loaded, bool announce) {
    auto r = std::make_unique<Running>();
    r->loaded = std::move(loaded);
    HistoryReaderFactory reader = historyReaderFactory(r->loaded);
    r->engine = std::make_unique<Engine>(r->loaded.pipeline, std::move(r->loaded.assembly), std::move(reader));
    r->engine->start(announce);
    const HttpSettings& http = r->loaded.pipeline.http;
    if (http.enabled) {
        r->http = std::make_unique<StatusServer>(http, *r->engine);
        r->http->start();
        Poco::Logger::get("watchdog").information("status server on http://" + http.host + ":" + std::to_string(r->http->port()) + "/");
    }
    return r;
}

/// HUP: a new configuration replaces the running one only if it loads completely.
std::unique_ptr<Running> reload(const CommandLine& cmd, std::unique_ptr<Running> current) {
    Poco::Logger& log = Poco::Logger::get("watchdog");
    std::ostringstream problems;
    auto next = loadAndAssemble(cmd, AssemblyScope::Everything, problems);
    if (!next) {
        std::istringstream lines(problems.str());
        for (std::string line; std::getline(lines, line);) log.error("reload: " + line);
        log.error("reload refused: keeping the running configuration");
        return current;
    }
    log.information("reloading " + cmd.args.front());
    if (current->http) current->http->stop();
    current->engine->stop(false);
    current.reset();
    try {
        configureLogging(next->pipeline.log, !cmd.daemon);
    } catch (const std::exception& e) {
        log.error(std::string("reload: ") + e.what());
    }
    try {
        return startRunning(std::move(*next), false);
    } catch (const std::exception& e) {
        log.fatal(std::string("reload: cannot start the new configuration: ") + e.what());
        return nullptr;
    }
}

}  // namespace

int runPipeline(const CommandLine& cmd) {
    // Blocked before any thread starts, so every thread inherits the mask and only sigwait() sees them.
    const sigset_t signals = handledSignals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto loaded = loadAndAssemble(cmd, AssemblyScope::Everything, std::cerr);
    if (!loaded) return kExitFailing;
    try {
        configureLogging(loaded->pipeline.log, !cmd.daemon);
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return kExitRuntime;
    }
    Poco::Logger& log = Poco::Logger::get("watchdog");
    std::unique_ptr<Running> running;
    try {
        running = startRunning(std::move(*loaded), true);
    } catch (const std::exception& e) {
        log.fatal(std::string("cannot start: ") + e.what());
        return kExitRuntime;
    }
    while (true) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) continue;
        if (sig == SIGUSR1) {
            log.information("SIGUSR1: sending a status report");
            running->engine->requestStatusReport();
        } else if (sig == SIGHUP) {
            running = reload(cmd, std::move(running));
            if (!running) return kExitRuntime;
        } else {
            log.information(std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGQUIT"));
            if (running->http) running->http->stop();
            running->engine->stop(true);
            running.reset();
            log.information("stopped");
            return kExitOk;
        }
    }
}

}  // namespace watchdog
