#include "Commands.h"
#include "CurrentEngine.h"
#include "LibraryPages.h"
#include "Logging.h"
#include "PipelineLoading.h"
#include "MysqlLease.h"
#include "http/StatusServer.h"

#include <Poco/Logger.h>
#include <watchdog/HumanFormat.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <iostream>
#include <optional>
#include <sstream>

namespace watchdog {

namespace {

/// How long after start-up or a reload the start-up pages are trimmed: the first checks have run.
constexpr std::chrono::milliseconds kTrimAfter{2000};

sigset_t handledSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1}) sigaddset(&set, s);
    return set;
}

Poco::Logger& logger() { return Poco::Logger::get("watchdog"); }

/// A pipeline with its plugins, its engine and its status server (destroyed in that reverse order:
/// the server, the engine, then the plugin loader).
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

/// Builds an engine on the assembled plugins (moved into it); starts nothing.
std::unique_ptr<Engine> buildEngine(LoadedPipeline& loaded) {
    HistoryReaderFactory reader = historyReaderFactory(loaded);
    auto engine = std::make_unique<Engine>(loaded.pipeline, std::move(loaded.assembly), std::move(reader));
    if (loaded.ha) engine->setCoordination(std::make_shared<MysqlLease>(*loaded.ha, loaded.pipeline.name));
    return engine;
}

void logListening(const Running& r) {
    logger().information("status server on http://" + r.loaded.pipeline.http.host + ":" + std::to_string(r.http->port()) + "/");
}

/// `run`: the status server listens before anything is announced, so a busy port fails the start
/// without a "now actively monitoring" message (which systemd's Restart= would repeat).
std::unique_ptr<Running> startRunning(LoadedPipeline loaded, CurrentEngine& current) {
    auto r = std::make_unique<Running>();
    r->loaded = std::move(loaded);
    r->engine = buildEngine(r->loaded);
    current.set(r->engine.get(), r->loaded.pipeline.statusMinInterval);
    const HttpSettings& http = r->loaded.pipeline.http;
    if (http.enabled) {
        r->http = std::make_unique<StatusServer>(http, current);
        r->http->start();
        logListening(*r);
    }
    r->engine->start(true);
    return r;
}

/// How the new configuration's status server came up, so that it can be undone.
struct ServerSwap {
    bool oldStopped = false;  ///< the old server gave up its port to the new one
};

/// A fresh server on the old settings: the port was just given up, so it is free again.
void restartOldServer(Running& old, CurrentEngine& current) {
    try {
        old.http.reset();
        old.http = std::make_unique<StatusServer>(old.loaded.pipeline.http, current);
        old.http->start();
    } catch (const std::exception& e) {
        logger().error(std::string("reload: the running status server cannot listen again: ") + e.what());
        old.http.reset();
    }
}

/// Brings up the new status server while the old engine still runs. A new address is bound first,
/// beside the old server; the old server's own port (same address, or an alias of it) is taken over
/// by stopping the old server, and given back if the new one still cannot listen. Throws with the
/// old server serving as before.
ServerSwap startNewServer(Running& old, Running& next, CurrentEngine& current) {
    ServerSwap swap;
    const HttpSettings& want = next.loaded.pipeline.http;
    if (!want.enabled) return swap;
    next.http = std::make_unique<StatusServer>(want, current);
    try {
        next.http->start();
        return swap;
    } catch (const std::exception&) {
        if (!old.http || want.port == 0 || want.port != old.http->port()) {
            next.http.reset();
            throw;
        }
    }
    old.http->stop();
    swap.oldStopped = true;
    try {
        next.http->start();
    } catch (const std::exception&) {
        next.http.reset();
        restartOldServer(old, current);
        throw;
    }
    return swap;
}

void undoNewServer(Running& old, Running& next, const ServerSwap& swap, CurrentEngine& current) {
    if (next.http) next.http->stop();
    next.http.reset();
    if (swap.oldStopped && old.http) restartOldServer(old, current);
}

void logAll(const std::string& prefix, const std::string& lines) {
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line);) logger().error(prefix + line);
}

/// After the new engine failed to start: the old configuration again, on freshly configured
/// instances of its plugins (the stopped engine cannot start twice). nullptr if even that fails.
std::unique_ptr<Running> restoreOld(const CommandLine& cmd, std::unique_ptr<Running> old, CurrentEngine& current) {
    current.set(nullptr, old->loaded.pipeline.statusMinInterval);
    old->engine.reset();
    try {
        configureLogging(old->loaded.pipeline.log, !cmd.daemon);
    } catch (const std::exception& e) {
        logger().error(std::string("reload: ") + e.what());
    }
    try {
        old->loaded.assembly = assemble(old->loaded.pipeline, *old->loaded.loader, AssemblyScope::Everything);
        old->engine = buildEngine(old->loaded);
        current.set(old->engine.get(), old->loaded.pipeline.statusMinInterval);
        old->engine->start(false);
    } catch (const std::exception& e) {
        current.set(nullptr, old->loaded.pipeline.statusMinInterval);
        logger().fatal(std::string("reload: cannot start the previous configuration again either: ") + e.what());
        return nullptr;
    }
    logger().warning("reload: back on the previous configuration");
    return old;
}

/// HUP: the new configuration replaces the running one only if it loads and starts completely.
/// Everything that can fail without touching the running engine (plugins, status server, log file)
/// is done first; then the old engine stops (saving the state the new one resumes from) and the new
/// one starts. If that start fails, the old configuration comes back.
std::unique_ptr<Running> reload(const CommandLine& cmd, std::unique_ptr<Running> old, CurrentEngine& current) {
    Poco::Logger& log = logger();
    std::ostringstream problems;
    auto loaded = loadAndAssemble(cmd, AssemblyScope::Everything, problems);
    if (!loaded) {
        logAll("reload: ", problems.str());
        log.error("reload refused: keeping the running configuration");
        return old;
    }
    log.information("reloading " + cmd.args.front());
    auto next = std::make_unique<Running>();
    next->loaded = std::move(*loaded);
    next->engine = buildEngine(next->loaded);

    ServerSwap swap;
    try {
        swap = startNewServer(*old, *next, current);
        configureLogging(next->loaded.pipeline.log, !cmd.daemon);
    } catch (const std::exception& e) {
        undoNewServer(*old, *next, swap, current);
        log.error(std::string("reload refused: ") + e.what() + "; keeping the running configuration");
        return old;
    }

    old->engine->stop(false);
    current.set(next->engine.get(), next->loaded.pipeline.statusMinInterval);
    try {
        next->engine->start(false);
    } catch (const std::exception& e) {
        log.error(std::string("reload: cannot start the new configuration: ") + e.what() + "; going back to the previous one");
        current.set(nullptr, old->loaded.pipeline.statusMinInterval);
        next->engine.reset();
        undoNewServer(*old, *next, swap, current);
        return restoreOld(cmd, std::move(old), current);
    }
    if (old->http) old->http->stop();
    if (next->http) logListening(*next);
    log.information("reloaded " + cmd.args.front());
    return next;
}

/// The next of `signals`; 0 when `timeout` passes first; -1 on an interrupted wait.
int waitForSignal(const sigset_t& signals, std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    if (!timeout) {
        int sig = 0;
        return sigwait(&signals, &sig) == 0 ? sig : -1;
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(*timeout);
    const timespec wait{static_cast<time_t>(seconds.count()), static_cast<long>((*timeout - seconds).count() * 1000000)};
    const int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig < 0) return errno == EAGAIN ? 0 : -1;
    return sig;
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
    Poco::Logger& log = logger();
    CurrentEngine current;  // outlives every status server
    std::unique_ptr<Running> running;
    try {
        running = startRunning(std::move(*loaded), current);
    } catch (const std::exception& e) {
        current.set(nullptr, std::chrono::milliseconds(0));
        log.fatal(std::string("cannot start: ") + e.what());
        return kExitRuntime;
    }
    bool trimDue = true;  // once start-up (or a reload) and its first checks are behind us
    while (true) {
        const int sig = trimDue ? waitForSignal(signals, kTrimAfter) : waitForSignal(signals);
        if (sig == 0 && trimDue) {
            trimDue = false;
            // Logged first: formatting and writing the line touches code no round of checks uses,
            // which would stay mapped if it ran after the trim.
            const LibraryPageTrim trim = planLibraryPageTrim();
            log.information("unmapping " + human::number(trim.residentBefore / 1048576.0) + " MiB of start-up library pages (" +
                            human::count(static_cast<long long>(trim.mappings), "mapping") + "); in use again as needed");
            unmapLibraryPages(trim);
        }
        if (sig == SIGHUP) trimDue = true;
        if (sig <= 0) continue;
        if (sig == SIGUSR1) {
            if (current.requestStatusReport().accepted) log.information("SIGUSR1: sending a status report");
        } else if (sig == SIGHUP) {
            running = reload(cmd, std::move(running), current);
            if (!running) return kExitRuntime;
        } else {
            log.information(std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGQUIT"));
            if (running->http) running->http->stop();
            running->engine->stop(true);
            current.set(nullptr, std::chrono::milliseconds(0));
            running.reset();
            log.information("stopped");
            return kExitOk;
        }
    }
}

}  // namespace watchdog
