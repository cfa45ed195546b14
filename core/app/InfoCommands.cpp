#include "AwsRegionFinder.h"
#include "Commands.h"
#include "Logging.h"
#include "PipelineLoading.h"
#include "history/HistoryReport.h"
#include "plugins/PluginLoader.h"
#include "migrate/MigrateEnv.h"
#include <watchdog/Duration.h>
#include <watchdog/HumanFormat.h>

#include <iomanip>
#include <iostream>

namespace watchdog {

int validatePipeline(const CommandLine& cmd) {
    configureConsoleLogging("warning");
    auto loaded = loadAndAssemble(cmd, AssemblyScope::Everything, std::cerr);
    if (!loaded) return kExitFailing;
    const Assembly& a = loaded->assembly;
    std::cout << cmd.args.front() << ": valid (" << human::count(a.checks.size(), "check") << ", "
              << human::count(a.actions.size(), "action") << ", " << human::count(a.sinks.size(), "sink") << ", "
              << human::count(a.rules.size(), "rule") << (loaded->pipeline.defaultRules ? " from the defaults" : "") << ")\n";
    return kExitOk;
}

namespace {
int printDeclaredOptions(const PluginLoader& loader, const std::string& name) {
    try {
        const auto table = loader.declaredOptions(name);
        if (!table) {
            std::cerr << loader.describe(name) << " declares no options table\n";
            return kExitRuntime;
        }
        std::cout << renderOptionTable(*table);
        return kExitOk;
    } catch (const PluginError& e) {
        std::cerr << e.what() << '\n';
        return kExitRuntime;
    }
}
}  // namespace

int listPlugins(const CommandLine& cmd) {
    configureConsoleLogging("warning");
    std::vector<std::string> fromPipeline;
    if (!cmd.args.empty()) {
        try {
            fromPipeline = loadPipeline(cmd.args.front()).pluginPath;
        } catch (const ConfigErrors& e) {
            for (const auto& one : e.errors()) std::cerr << one.what() << '\n';
            return kExitFailing;
        }
    }
    PluginLoader loader(pluginSearchPath(cmd, fromPipeline));
    if (!cmd.optionsOf.empty()) return printDeclaredOptions(loader, cmd.optionsOf);
    std::cout << "plugin path:";
    for (const auto& dir : loader.searchPath()) std::cout << ' ' << dir;
    std::cout << "\n\n";
    const auto plugins = loader.list();
    std::size_t width = 4;
    for (const auto& p : plugins) width = std::max(width, p.name.size());
    std::cout << std::left << std::setw(static_cast<int>(width + 2)) << "NAME" << std::setw(8) << "KIND" << std::setw(5) << "ABI"
              << "FILE\n";
    bool problems = false;
    for (const auto& p : plugins) {
        std::cout << std::left << std::setw(static_cast<int>(width + 2)) << p.name << std::setw(8) << (p.kind.empty() ? "-" : p.kind)
                  << std::setw(5) << (p.abi > 0 ? std::to_string(p.abi) : "-") << p.path;
        if (!p.problem.empty()) {
            std::cout << "  (" << p.problem << ')';
            problems = true;
        }
        std::cout << '\n';
    }
    if (plugins.empty()) std::cout << "(no plugins found)\n";
    return problems ? kExitRuntime : kExitOk;
}

int showHistory(const CommandLine& cmd) {
    configureConsoleLogging("warning");
    HistoryQuery query;
    const auto window = parseDuration(cmd.since);
    if (!window || window->count() <= 0) {
        std::cerr << "history: --since '" << cmd.since << "' is not a duration (use 30m, 6h, 7d)\n";
        return kExitUsage;
    }
    query.since = std::chrono::system_clock::now() - *window;
    query.checkId = cmd.check;
    auto loaded = loadAndAssemble(cmd, AssemblyScope::Everything, std::cerr);
    if (!loaded) return kExitFailing;
    if (!cmd.check.empty()) {
        bool known = false;
        for (const auto& c : loaded->assembly.checks) known = known || c.block.id == cmd.check;
        if (!known) {
            std::cerr << "history: the pipeline has no check called '" << cmd.check << "'\n";
            return kExitUsage;
        }
    }
    auto reader = historyReaderFactory(*loaded)();
    if (!reader) {
        std::cerr << "history: no sink of " << cmd.args.front() << " can read history (add the sqlite sink)\n";
        return kExitRuntime;
    }
    try {
        reader->open();
        printHistory(reader->readHistory(query), query, cmd.json, std::cout);
        reader->close();
    } catch (const std::exception& e) {
        std::cerr << "history: " << e.what() << '\n';
        return kExitRuntime;
    }
    return kExitOk;
}

int migrateEnvFile(const CommandLine& cmd) {
    if (cmd.args.empty()) {
        std::cerr << "migrate-env: give the old script's .env file (encoder-watchdog migrate-env /opt/monitor/.env > pipeline.yaml)\n";
        return kExitUsage;
    }
    return migrateEnv(cmd.args.front(), std::cout, std::cerr, awsRegionFinder());
}

}  // namespace watchdog
