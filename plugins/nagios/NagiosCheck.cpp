#include "NagiosCheck.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace watchdog::nagios {

namespace {

using Ms = std::chrono::milliseconds;

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";
constexpr std::size_t kMaxSummary = 500;        // characters of the first line kept as the summary
constexpr std::size_t kMaxMetrics = 20;         // metrics shown as details
constexpr std::size_t kMaxLongLines = 20;       // long output lines kept
constexpr std::size_t kMaxLongBytes = 2000;     // long output characters kept
constexpr std::size_t kMaxStderrBytes = 1000;   // stderr characters kept in the details
constexpr std::size_t kStdoutRead = 64 * 1024;  // stdout bytes kept from the plugin (the rest is dropped)
constexpr std::size_t kStderrRead = 4 * 1024;   // stderr bytes kept from the plugin

std::string daemonPath() {
    const char* path = std::getenv("PATH");
    return path && *path ? path : kDefaultPath;
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto at = text.find(separator, start);
        out.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
        if (at == std::string::npos) return out;
        start = at + 1;
    }
}

bool executableFile(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// At most `max` bytes, never cutting a UTF-8 sequence in two.
std::string bounded(const std::string& text, std::size_t max) {
    if (text.size() <= max) return text;
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut) + "...";
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

const char* stateName(int exitCode) {
    switch (exitCode) {
        case 0:
            return "OK";
        case 1:
            return "WARNING";
        case 2:
            return "CRITICAL";
        case 3:
            return "UNKNOWN";
        default:
            return nullptr;
    }
}

bool validName(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

void NagiosCheck::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    NagiosSettings s;
    const bool shell = options.boolean("shell", false);
    const std::vector<std::string> command = options.stringList("command");
    if (command.empty() || command[0].empty())
        options.fail("command", "give the plugin and its arguments as a list, e.g. [check_tcp, -H, 127.0.0.1, -p, '8000']");
    if (shell) {
        if (command.size() != 1) options.report("command", "with shell: true, give one string for /bin/sh -c");
        s.program = "/bin/sh";
        s.argv = {"sh", "-c", command[0]};
        s.name = "shell command";
    } else {
        const std::string& first = command[0];
        if (command.size() == 1 && first.find(' ') != std::string::npos)
            options.report("command", "is one string with spaces: give a list ([check_tcp, -H, example.org]) or set shell: true");
        if (first.find('/') != std::string::npos) {
            s.program = first[0] == '/' ? first : options.block().baseDirectory() + "/" + first;
            if (!executableFile(s.program)) options.report("command", "'" + s.program + "' is not an executable file");
        } else {
            for (const auto& dir : split(daemonPath() + ":" + kPluginDirectory, ':'))
                if (!dir.empty() && executableFile(dir + "/" + first)) {
                    s.program = dir + "/" + first;
                    break;
                }
            if (s.program.empty())
                options.report("command", "'" + first + "' is not an executable program on PATH (" + daemonPath() + ") or in " +
                                              kPluginDirectory + " (install monitoring-plugins, or give its full path)");
        }
        s.argv = command;
        s.name = first.substr(first.rfind('/') + 1);
    }
    s.warningPasses = options.boolean("warning_passes", false);

    // A minimal environment: PATH (the daemon's, plus the plugin folder) and LANG=C, so numbers carry
    // a decimal point and messages are English whatever the daemon's locale; env: adds or replaces.
    std::string path = daemonPath();
    if (path.find(kPluginDirectory) == std::string::npos) path += std::string(":") + kPluginDirectory;
    std::vector<std::pair<std::string, std::string>> env = {{"PATH", path}, {"LANG", "C"}};
    const auto extra = options.stringList("env");
    for (std::size_t i = 0; i < extra.size(); ++i) {
        const auto eq = extra[i].find('=');
        const std::string name = extra[i].substr(0, eq);
        if (eq == std::string::npos || !validName(name))
            options.report("env", "entry " + std::to_string(i + 1) +
                                      " is not NAME=value (NAME of letters, digits and _), e.g. [PGPASSWORD=${DB_PASS}]");
        auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == name; });
        if (it != env.end())
            it->second = extra[i].substr(eq + 1);
        else
            env.emplace_back(name, extra[i].substr(eq + 1));
    }
    for (const auto& [k, v] : env) s.env.push_back(k + "=" + v);
    settings_ = std::move(s);
}

Result NagiosCheck::run(const CheckContext& context) {
    // Answer a little before the scheduler's own timeout, so that our reason is the one reported.
    const Ms timeout = std::max(context.timeout, Ms(1));
    // Its own session, stdin /dev/null, and SIGKILL to the whole group at the timeout, on cancel and
    // when the plugin exits, as Nagios does: nothing started by a check outlives the check.
    common::ProcessSpec c;
    c.program = settings_.program;
    c.argv = settings_.argv;
    c.environment = settings_.env;
    c.timeout = timeout - std::min(timeout / 10, Ms(500));
    c.killGrace = Ms(0);
    c.killLeftoversOnExit = true;
    c.outLimit.bytes = kStdoutRead;
    c.errLimit.bytes = kStderrRead;
    const std::atomic<bool>* cancelled = context.cancelled;
    return judge(common::runProcess(c, [cancelled] { return cancelled && cancelled->load(); }), settings_, c.timeout);
}

Result NagiosCheck::judge(const PluginRun& run, const NagiosSettings& s, Ms timeout) {
    if (!run.started) return Result::error("cannot run " + s.program + ": " + run.startError).detail("program", s.program);
    const NagiosOutput out = parseNagiosOutput(run.out);
    const std::string text = bounded(out.text, kMaxSummary);
    const std::string errLine = bounded(trimmed(run.err.substr(0, run.err.find('\n'))), kMaxSummary);
    const std::string said = !text.empty() ? text : errLine;
    const char* state = run.signal == 0 && !run.timedOut && !run.cancelled ? stateName(run.exitCode) : nullptr;

    Result r;
    std::string stateDetail;
    if (run.timedOut) {
        r = Result::error(s.name + " timed out after " + human::duration(timeout) + "; its process group was killed");
        stateDetail = "timed out";
    } else if (run.cancelled) {
        r = Result::error(s.name + " was stopped: the run was cancelled");
        stateDetail = "cancelled";
    } else if (run.signal != 0) {
        r = Result::error(s.name + " was killed by " + common::signalName(run.signal) + (said.empty() ? "" : ": " + said));
        stateDetail = "killed by " + common::signalName(run.signal);
    } else if (!state) {
        r = Result::error(s.name + " exited with " + std::to_string(run.exitCode) + ", not a plugin state (0-3)" +
                          (said.empty() ? "" : ": " + said));
        stateDetail = "exit " + std::to_string(run.exitCode);
    } else {
        const std::string summary = !text.empty() ? text
                                                  : s.name + " returned " + state + " (exit " + std::to_string(run.exitCode) +
                                                        ") and printed nothing" + (errLine.empty() ? "" : ": " + errLine);
        stateDetail = std::string(state) + " (exit " + std::to_string(run.exitCode) + ")";
        switch (run.exitCode) {
            case 0:
                r = Result::pass(summary);
                break;
            case 1:
                r = s.warningPasses ? Result::pass(summary) : Result::fail(summary);
                if (s.warningPasses) stateDetail += ", passes: warning_passes";
                break;
            case 2:
                r = Result::fail(summary);
                break;
            default:
                r = Result::error(summary);
                break;
        }
    }

    if (!out.perfdata.empty() && out.perfdata.front().value) r.withValue(*out.perfdata.front().value, out.perfdata.front().uom);
    r.detail("program", s.program);
    r.detail("state", stateDetail);
    static const std::set<std::string> ours = {"program", "state", "perfdata", "unparsed perfdata", "long output", "output", "stderr"};
    for (std::size_t i = 0; i < out.perfdata.size() && i < kMaxMetrics; ++i) {
        const PerfMetric& m = out.perfdata[i];
        r.detail(ours.count(m.label) ? "perfdata " + m.label : m.label, m.describe());
    }
    if (out.perfdata.size() > kMaxMetrics)
        r.detail("perfdata", std::to_string(out.perfdata.size() - kMaxMetrics) + " more metrics not shown");
    if (!out.unparsed.empty()) {
        std::string joined;
        for (const auto& u : out.unparsed) joined += (joined.empty() ? "" : " ") + u;
        r.detail("unparsed perfdata", bounded(joined, kMaxSummary));
    }
    if (!out.longText.empty()) {
        std::string lines;
        std::size_t kept = 0;
        for (; kept < out.longText.size() && kept < kMaxLongLines && lines.size() < kMaxLongBytes; ++kept)
            lines += (kept ? "\n" : "") + out.longText[kept];
        lines = bounded(lines, kMaxLongBytes);
        if (kept < out.longText.size()) lines += "\n(" + std::to_string(out.longText.size() - kept) + " more lines)";
        r.detail("long output", lines);
    }
    if (run.outTruncated) r.detail("output", "longer than " + std::to_string(run.out.size() / 1024) + "K; the rest was dropped");
    if (!trimmed(run.err).empty()) r.detail("stderr", bounded(trimmed(run.err), kMaxStderrBytes));
    return r;
}

}  // namespace watchdog::nagios

WATCHDOG_CHECK_PLUGIN(watchdog::nagios::NagiosCheck)
