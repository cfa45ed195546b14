#pragma once

#include <string>
#include <vector>

namespace watchdog {

/// The parsed command line after the verb.
struct CommandLine {
    std::vector<std::string> args;        ///< positional arguments after the verb (the pipeline file)
    std::vector<std::string> words;       ///< the positional arguments as given (maintenance's DURATION is no path)
    std::string rule;                     ///< --rule (maintenance)
    std::string reason;                   ///< --reason (maintenance, ack)
    bool end = false;                     ///< --end (maintenance)
    bool json = false;                    ///< --json
    std::string since = "1h";             ///< --since (history)
    std::string check;                    ///< --check (history)
    std::vector<std::string> pluginPath;  ///< --plugin-path, searched before the pipeline's
    bool daemon = false;                  ///< --daemon was given (no console logging)
    std::string optionsOf;                ///< --options NAME (plugins): print NAME's declared options
};

/// Exit codes shared by the verbs.
enum ExitCode : int {
    kExitOk = 0,
    kExitUsage = 64,   ///< bad command line (sysexits EX_USAGE)
    kExitFailing = 2,  ///< `check`: a check failed; `validate`/`run`: the pipeline is invalid
    kExitError = 3,    ///< `check`: a check could not observe, or the pipeline is invalid
    kExitRuntime = 1,  ///< anything else went wrong
};

/// `run CONFIG`: the daemon, until TERM/INT; HUP reloads, USR1 reports status.
int runPipeline(const CommandLine& cmd);
/// `check CONFIG [--json]`: every check once; 0 all pass, 2 any fail, 3 any error or config problem.
int checkPipeline(const CommandLine& cmd);
/// `validate CONFIG`: 0, or 2 with one FILE:LINE:COL line per problem on stderr.
int validatePipeline(const CommandLine& cmd);
/// `plugins [CONFIG]`: what is on the plugin path, with kind and ABI.
int listPlugins(const CommandLine& cmd);
/// `history CONFIG [--since 1h] [--check ID] [--json]`.
int showHistory(const CommandLine& cmd);
/// `migrate-env PATH/.env`: an equivalent pipeline on stdout.
int migrateEnvFile(const CommandLine& cmd);
/// `maintenance PIPELINE DURATION|--end [--check ID|--rule ID] [--reason TEXT]`: through the running
/// daemon's status server, or recorded in the state file for the next start when none answers.
int startOrEndMaintenance(const CommandLine& cmd);
/// `ack PIPELINE [RULE] [--reason TEXT]`: acknowledges the open incident, the same two ways.
int acknowledgeIncident(const CommandLine& cmd);
/// A maintenance length written as "-1h" reaches Poco's option parser as an option: this names it
/// plainly instead. Returns an exit code if argv holds one, else -1.
int refuseNegativeLength(int argc, char** argv);

}  // namespace watchdog
