#include "WatchdogApplication.h"

#include <watchdog/Abi.h>
#include <watchdog/Version.h>

#include <Poco/Path.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <iostream>
#include <map>

namespace watchdog {

namespace {

using Verb = int (*)(const CommandLine&);

const std::map<std::string, Verb>& verbs() {
    static const std::map<std::string, Verb> table{
        {"run", runPipeline},     {"check", checkPipeline},        {"validate", validatePipeline},         {"plugins", listPlugins},
        {"history", showHistory}, {"migrate-env", migrateEnvFile}, {"maintenance", startOrEndMaintenance}, {"ack", acknowledgeIncident},
    };
    return table;
}

const char* kUsage = R"(usage: encoder-watchdog VERB [OPTIONS] [PIPELINE]

Watches a live-streaming encoder and starts a backup when it dies.

verbs:
  run PIPELINE          monitor until SIGTERM/SIGINT (SIGHUP reloads, SIGUSR1 sends a status report)
  maintenance PIPELINE DURATION [--check ID|--rule ID] [--reason TEXT]
                        rules neither warn nor run remedies for what is covered, for DURATION (1s..30d)
  maintenance PIPELINE --end [--check ID|--rule ID]
                        end it now (it also ends by itself)
  ack PIPELINE [RULE] [--reason TEXT]
                        acknowledge the open incident: no more reminders or escalations for it
  check PIPELINE        run every check once and print the results
                        exit 0 all pass, 2 a check failed, 3 a check errored or the pipeline is invalid
  validate PIPELINE     load the pipeline and every plugin; exit 0, or 2 with FILE:LINE:COL lines
  plugins [PIPELINE]    list the plugins on the plugin path with kind and ABI version
  plugins --options NAME
                        print the options plugin NAME declares (its README's options table)
  history PIPELINE      print recorded results and events (--since 1h, --check ID, --json)
  migrate-env FILE      turn the old script's .env into a pipeline on stdout

options:
  --json                machine-readable output (check, history)
  --since DURATION      history window, e.g. 30m, 6h, 7d (default 1h)
  --check ID            history of one check only
  --plugin-path DIR     search DIR for plugins first (repeatable)
  --options NAME        the options a plugin declares (plugins)
  --daemon              run in the background (with run)
  --pidfile FILE        write the process id to FILE, removed at exit
  --version             print the version and the plugin ABI version
  --help                this text
  --check ID, --rule ID maintenance of one check or one rule only
  --reason TEXT         why (maintenance, ack), shown in messages and on the status page
  --end                 end the maintenance (maintenance)
)";

}  // namespace

WatchdogApplication::WatchdogApplication(std::string cwd) : cwd_(std::move(cwd)) { setUnixOptions(true); }

void WatchdogApplication::defineOptions(Poco::Util::OptionSet& options) {
    ServerApplication::defineOptions(options);
    using Poco::Util::Option;
    options.addOption(Option("help", "h", "show the help").required(false).repeatable(false));
    options.addOption(Option("version", "V", "show the version").required(false).repeatable(false));
    options.addOption(Option("rule", "", "maintenance of one rule").required(false).repeatable(false).argument("ID"));
    options.addOption(Option("reason", "", "why").required(false).repeatable(false).argument("TEXT"));
    options.addOption(Option("end", "", "end the maintenance").required(false).repeatable(false));
    options.addOption(Option("json", "", "JSON output").required(false).repeatable(false));
    options.addOption(Option("since", "", "history window").required(false).repeatable(false).argument("DURATION"));
    options.addOption(Option("check", "", "history of one check").required(false).repeatable(false).argument("ID"));
    options.addOption(Option("plugin-path", "", "plugin directory").required(false).repeatable(true).argument("DIR"));
    options.addOption(Option("options", "", "a plugin's declared options").required(false).repeatable(false).argument("NAME"));
}

void WatchdogApplication::handleOption(const std::string& name, const std::string& value) {
    ServerApplication::handleOption(name, value);
    if (name == "help") {
        helpRequested_ = true;
        stopOptionsProcessing();
    } else if (name == "version") {
        versionRequested_ = true;
    } else if (name == "json") {
        command_.json = true;
    } else if (name == "rule") {
        command_.rule = value;
    } else if (name == "reason") {
        command_.reason = value;
    } else if (name == "end") {
        command_.end = true;
    } else if (name == "since") {
        command_.since = value;
    } else if (name == "check") {
        command_.check = value;
    } else if (name == "options") {
        command_.optionsOf = value;
    } else if (name == "plugin-path") {
        command_.pluginPath.push_back(Poco::Path(cwd_).resolve(value).toString());
    }
}

void WatchdogApplication::printHelp() const { std::cout << kUsage; }

int WatchdogApplication::main(const ArgVec& args) {
    if (helpRequested_) {
        printHelp();
        return EXIT_OK;
    }
    if (versionRequested_) {
        std::cout << "encoder-watchdog " << WATCHDOG_VERSION << " (plugin ABI " << WATCHDOG_ABI_VERSION << ")\n";
        return EXIT_OK;
    }
    if (args.empty()) {
        std::cerr << kUsage;
        return kExitUsage;
    }
    auto verb = verbs().find(args.front());
    if (verb == verbs().end()) {
        std::cerr << "encoder-watchdog: unknown verb '" << args.front()
                  << "' (run, check, validate, plugins, history, migrate-env, maintenance, ack; see --help)\n";
        return kExitUsage;
    }
    command_.daemon = config().getBool("application.runAsDaemon", false);
    for (std::size_t i = 1; i < args.size(); ++i) command_.args.push_back(Poco::Path(cwd_).resolve(args[i]).toString());
    command_.words.assign(args.begin() + 1, args.end());
    return verb->second(command_);
}

}  // namespace watchdog
