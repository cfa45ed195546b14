#include "ExecAction.h"

#include "ChildEnvironment.h"
#include "EventEnvironment.h"
#include "EventTypes.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/StringTokenizer.h>

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace watchdog::exec {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("watchdog.action.exec"); }

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0 && !Poco::File(path).isDirectory(); }

// Where execvp would find `program`, or "" if nowhere.
std::string findInPath(const std::string& program) {
    if (program.find('/') != std::string::npos) return executable(program) ? program : "";
    const char* path = std::getenv("PATH");
    Poco::StringTokenizer dirs(path ? path : "/usr/local/bin:/usr/bin:/bin", ":", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const auto& dir : dirs)
        if (executable(dir + "/" + program)) return dir + "/" + program;
    return "";
}

std::string firstLine(const std::string& text) {
    const auto nl = text.find('\n');
    std::string line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

}  // namespace

void ExecAction::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    const bool shell = options.boolean("shell", false);
    const std::vector<std::string> command = options.stringList("command");
    if (command.empty() || command[0].empty())
        options.fail("command", "give the program and its arguments as a list, e.g. [/usr/local/bin/switch-dns, --to, backup]");
    if (shell) {
        if (command.size() != 1) options.fail("command", "with shell: true, give one string for /bin/sh -c");
        argv_ = {"/bin/sh", "-c", command[0]};
        name_ = "shell command";
    } else {
        argv_ = command;
        if (findInPath(argv_[0]).empty())
            options.report("command", "'" + argv_[0] + "' is not an executable program" +
                                          (argv_[0].find('/') == std::string::npos ? " in PATH" : "") +
                                          (argv_[0].find(' ') != std::string::npos ? " (arguments go in a list, or set shell: true)" : ""));
        name_ = Poco::Path(argv_[0]).getFileName();
    }
    // Its own process group (in the daemon's session), argv[0] looked up in PATH, stdout and stderr
    // interleaved; at the timeout SIGTERM, then SIGKILL; what it leaves running after a normal exit
    // keeps running.
    spec_ = common::ProcessSpec{};
    extraEnv_.clear();
    spec_.argv = argv_;
    spec_.ownSession = false;
    spec_.killLeftoversOnExit = false;
    spec_.stderrToStdout = true;
    spec_.timeout = options.duration("timeout", std::chrono::milliseconds(60000));
    spec_.killGrace = options.duration("kill_grace", std::chrono::milliseconds(2000));
    if (spec_.timeout.count() <= 0) options.report("timeout", "must be more than 0");
    spec_.outLimit.lines = static_cast<std::size_t>(options.integer("output_lines", 20, 1, 1000));
    spec_.outLimit.bytes = 4096;
    spec_.workingDirectory = options.path("working_directory", "");
    if (!spec_.workingDirectory.empty()) {
        Poco::File dir(spec_.workingDirectory);
        if (!dir.exists() || !dir.isDirectory()) options.report("working_directory", "'" + spec_.workingDirectory + "' is not a directory");
    }
    for (const auto& entry : options.stringList("env")) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos || eq == 0)
            options.report("env", "'" + options.block().withoutSecrets(entry) + "' is not NAME=value (e.g. \"DNS_TOKEN=${DNS_TOKEN}\")");
        extraEnv_.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
    }
    passEnv_ = options.stringList("pass_env");
    stdinJson_ = options.boolean("stdin_json", true);
    role_ = options.choice("role", {"notifier", "remedy"}, "remedy") == "notifier" ? ActionRole::Notifier : ActionRole::Remedy;

    std::vector<std::string> all;
    for (EventType t : common::allEventTypes()) all.push_back(toString(t));
    events_.clear();
    for (const auto& word : options.stringList("events", all)) {
        auto type = eventTypeFromString(word);
        if (!type) {
            std::string list;
            for (const auto& a : all) list += (list.empty() ? "" : ", ") + a;
            options.fail("events", "'" + word + "' is not an event (use " + list + ")");
        }
        events_.insert(*type);
    }
}

Outcome ExecAction::execute(const Event& event, const ActionContext& context) {
    if (!events_.count(event.type)) return Outcome::success(std::string("not run: ") + toString(event.type) + " is not in events");
    common::ProcessSpec spec = spec_;
    std::vector<std::pair<std::string, std::string>> addEnv = extraEnv_;
    for (auto& kv : eventEnvironment(event, context)) addEnv.push_back(std::move(kv));
    spec.environment = childEnvironment(passEnv_, addEnv);
    spec.input = stdinJson_ ? eventJson(event) + "\n" : "";
    if (context.dryRun) {
        std::string shown;
        for (const auto& a : argv_) shown += (shown.empty() ? "" : " ") + a;
        logger().information("exec " + context.id + " dry run: would run " + name_ + " for a " + toString(event.type) + " event");
        return Outcome::success("would run " + name_ + " with WATCHDOG_EVENT=" + toString(event.type) + " (dry run)",
                                {{"command", name_}, {"stdin", *spec.input}});
    }
    const common::ProcessResult r = common::runProcess(spec, [&context] { return context.isStopping(); });
    Details details{{"command", name_}};
    if (!r.started) return Outcome::failure(name_ + ": cannot run " + argv_[0] + ": " + r.startError, details);
    details.emplace_back("exit_code", r.exitCode >= 0 ? std::to_string(r.exitCode) : "");
    if (r.signal) details.emplace_back("signal", common::signalName(r.signal));
    details.emplace_back("took_ms", std::to_string(r.took.count()));
    details.emplace_back("output", r.out + (r.outTruncated ? "\n[output truncated]" : ""));
    const std::string line = firstLine(r.out);
    const std::string said = line.empty() ? "" : ": " + line;
    if (r.timedOut)
        return Outcome::failure(name_ + " timed out after " + human::duration(spec.timeout) + "; its process group was killed" + said,
                                details);
    if (r.cancelled) return Outcome::failure(name_ + " was stopped: the watchdog is stopping" + said, details);
    if (r.signal) return Outcome::failure(name_ + " was killed by " + common::signalName(r.signal) + said, details);
    if (r.exitCode != 0) return Outcome::failure(name_ + " exited " + std::to_string(r.exitCode) + said, details);
    return Outcome::success(name_ + " exited 0" + said, details);
}

}  // namespace watchdog::exec

WATCHDOG_ACTION_PLUGIN(watchdog::exec::ExecAction)
