#include "ConsoleSink.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace watchdog::console {
namespace {

const char* kReset = "\033[0m";

const char* colourOf(const Record& r) {
    if (r.kind == RecordKind::Event) {
        switch (r.event.type) {
            case EventType::Warning:
            case EventType::Failover:
            case EventType::CheckError:
                return "\033[1;33m";  // bold yellow
            case EventType::Outcome:
                return r.event.ok ? "\033[1;36m" : "\033[1;31m";
            case EventType::Recovered:
            case EventType::Cancelled:
                return "\033[1;32m";
            default:
                return "\033[1;36m";  // bold cyan
        }
    }
    switch (r.result.status) {
        case Status::Pass:
            return "\033[32m";
        case Status::Fail:
            return "\033[31m";
        case Status::Error:
            return "\033[35m";
    }
    return "";
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

ConsoleSink::ConsoleSink() : out_(&std::cout), isTerminal_(::isatty(STDOUT_FILENO) == 1) {}

ConsoleSink::ConsoleSink(std::ostream& out, bool isTerminal) : out_(&out), isTerminal_(isTerminal), fixedStream_(true) {}

void ConsoleSink::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    const auto kinds = options.stringList("kinds", {"results", "events"});
    results_ = events_ = false;
    for (const auto& k : kinds) {
        if (k == "results")
            results_ = true;
        else if (k == "events")
            events_ = true;
        else
            options.report("kinds", "'" + k + "' is not a record kind (use results, events)");
    }
    const std::string stream = options.choice("stream", {"stdout", "stderr"}, "stdout");
    if (!fixedStream_) {
        out_ = stream == "stderr" ? &std::cerr : &std::cout;
        isTerminal_ = ::isatty(stream == "stderr" ? STDERR_FILENO : STDOUT_FILENO) == 1;
    }
    const std::string color = options.choice("color", {"auto", "always", "never"}, "auto");
    // https://no-color.org: NO_COLOR set to anything non-empty turns colour off for `auto`.
    const char* noColor = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    const bool autoColor = isTerminal_ && !(noColor && *noColor) && !(term && std::string(term) == "dumb");
    color_ = color == "always" || (color == "auto" && autoColor);
}

std::string ConsoleSink::format(const Record& r, bool color) {
    std::string line = toLocalSeconds(r.time) + " ";
    std::string tag, body;
    if (r.kind == RecordKind::Result) {
        tag = upper(toString(r.result.status));
        while (tag.size() < 5) tag += ' ';
        body = (r.checkLabel.empty() ? r.checkId : r.checkLabel) + ": " + r.result.summary;
        if (r.result.value && r.result.summary.empty()) body += human::quantity(*r.result.value, r.result.unit);
    } else {
        const Event& e = r.event;
        tag = "EVENT";
        body = toString(e.type);
        if (!e.rule.empty()) body += " [" + e.rule + "]";
        if (e.type == EventType::Outcome) body += " " + e.action + (e.ok ? (isDryRun(e) ? " dry run" : " ok") : " FAILED");
        const std::string check = r.checkId.empty() ? e.checkId : r.checkId;
        if (e.type == EventType::CheckError && !check.empty()) body += " " + check;
        body += ": " + e.summary;
        if (e.duration) body += " (" + human::duration(*e.duration) + ")";
    }
    if (color) return line + colourOf(r) + tag + kReset + " " + body;
    return line + tag + " " + body;
}

void ConsoleSink::write(const std::vector<Record>& batch) {
    std::string text;
    for (const auto& r : batch) {
        if ((r.kind == RecordKind::Result && !results_) || (r.kind == RecordKind::Event && !events_)) continue;
        text += format(r, color_);
        text += '\n';
    }
    if (text.empty()) return;
    *out_ << text;
    out_->flush();
    if (!*out_) {
        out_->clear();
        throw std::runtime_error("console sink: cannot write to the console");
    }
}

}  // namespace watchdog::console

WATCHDOG_SINK_PLUGIN(watchdog::console::ConsoleSink)
