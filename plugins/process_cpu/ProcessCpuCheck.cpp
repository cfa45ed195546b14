#include "ProcessCpuCheck.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

namespace watchdog::process_cpu {

namespace {

using SteadyClock = std::chrono::steady_clock;

// A configured limit is shown as written (0.05 stays 0.05); only the measured reading is rounded.
std::string limitText(double percent) { return human::number(percent) + " %"; }

std::string pidList(const std::vector<int>& pids) {
    std::string out;
    for (int p : pids) out += (out.empty() ? "" : ", ") + std::to_string(p);
    return out;
}

}  // namespace

std::string ProcessCpuSettings::target() const {
    if (!name.empty()) return name;
    if (!cmdline.empty()) return "'" + cmdline + "' in the command line";
    if (!cmdlineRegex.empty()) return "command line matching /" + cmdlineRegex + "/";
    return "pidfile " + pidfile;
}

void ProcessCpuCheck::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    ProcessCpuSettings s;
    s.name = options.string("name", "");
    s.cmdline = options.string("cmdline", "");
    s.cmdlineRegex = options.string("cmdline_regex", "");
    s.pidfile = options.path("pidfile", "");
    int given = 0;
    for (const char* key : {"name", "cmdline", "cmdline_regex", "pidfile"}) {
        if (!options.has(key)) continue;
        if (++given > 1) options.report(key, "use only one of name, cmdline, cmdline_regex and pidfile");
    }
    if (given == 0) options.report("name", "say which process to watch: name, cmdline, cmdline_regex or pidfile");
    if (!s.cmdlineRegex.empty()) {
        try {
            regex_ = std::regex(s.cmdlineRegex, std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::regex_error& e) {
            options.report("cmdline_regex", std::string("is not a valid regular expression (") + e.what() + ")");
        }
    }
    s.minPercent = options.number("min_percent", 0, 0, 100000);
    if (options.has("max_percent")) {
        s.maxPercent = options.number("max_percent", 0, 100000);
        if (*s.maxPercent < s.minPercent) options.report("max_percent", "is below min_percent (" + human::number(s.minPercent) + ")");
    }
    s.sumMatches = options.choice("multiple", {"sum", "oldest"}, "sum") == "sum";
    s.baseline = options.duration("baseline", std::chrono::milliseconds(1000));
    if (s.baseline < std::chrono::milliseconds(0)) options.report("baseline", "must not be negative");
    settings_ = std::move(s);
    previous_.reset();
}

std::vector<int> ProcessCpuCheck::select(std::optional<Result>& problem) const {
    const ProcessCpuSettings& s = settings_;
    if (!s.pidfile.empty()) {
        std::ifstream in(s.pidfile);
        if (!in) {
            if (errno == ENOENT)
                problem = Result::fail("pidfile " + s.pidfile + " is missing");
            else
                problem = Result::error("cannot read pidfile " + s.pidfile + ": " + std::strerror(errno));
            return {};
        }
        long long pid = 0;
        if (!(in >> pid) || pid <= 0 || pid > 4194304) {
            problem = Result::error("pidfile " + s.pidfile + " does not hold a pid");
            return {};
        }
        if (!readProcStat(static_cast<int>(pid), s.procRoot)) {
            problem = Result::fail("pidfile " + s.pidfile + " names pid " + std::to_string(pid) + ", which is not running");
            return {};
        }
        return {static_cast<int>(pid)};
    }
    // comm is the executable name cut to 15 characters (TASK_COMM_LEN 16, proc(5)).
    const std::string comm = s.name.substr(0, 15);
    std::vector<int> pids = findProcesses(
        [&](int pid, const std::string& c) {
            if (!s.name.empty()) return c == comm;
            std::string line = readCmdline(pid, s.procRoot);
            if (line.empty()) return false;  // kernel threads have none
            if (!s.cmdline.empty()) return line.find(s.cmdline) != std::string::npos;
            return std::regex_search(line, regex_);
        },
        s.procRoot);
    if (pids.empty()) {
        if (!s.name.empty())
            problem = Result::fail("no process named " + s.name);
        else if (!s.cmdline.empty())
            problem = Result::fail("no process with '" + s.cmdline + "' in its command line");
        else
            problem = Result::fail("no process whose command line matches /" + s.cmdlineRegex + "/");
    }
    return pids;
}

ProcessCpuCheck::Sample ProcessCpuCheck::sample(const std::vector<int>& pids) const {
    Sample out;
    out.at = SteadyClock::now();
    std::optional<ProcStat> oldest;
    auto keep = [&](const ProcStat& st) {
        out.used[{st.pid, st.startTime}] = CpuUse{st.cpuTicks(), readThreadRuntimes(st.pid, settings_.procRoot)};
    };
    for (int pid : pids) {
        auto st = readProcStat(pid, settings_.procRoot);
        if (!st) continue;  // exited since it was found
        if (settings_.sumMatches)
            keep(*st);
        else if (!oldest || st->startTime < oldest->startTime)
            oldest = st;
    }
    if (oldest) keep(*oldest);
    return out;
}

Result ProcessCpuCheck::judge(const Sample& before, const Sample& after, const std::vector<int>& pids) const {
    const ProcessCpuSettings& s = settings_;
    double cpuSeconds = 0;
    std::vector<int> measured;
    for (const auto& [id, now] : after.used) {
        auto it = before.used.find(id);
        if (it == before.used.end()) continue;  // appeared since the last sample: counted from the next run
        cpuSeconds += cpuSecondsBetween(it->second, now);
        measured.push_back(id.first);
    }
    const double seconds = std::chrono::duration<double>(after.at - before.at).count();
    const double percent = seconds > 0 ? cpuSeconds / seconds * 100.0 : 0.0;

    std::string who = s.target();
    if (measured.size() > 1) who += " (" + human::count(static_cast<long long>(measured.size()), "process") + ")";
    const std::string reading = who + " at " + human::percent(percent) + " CPU";
    Result r;
    if (s.maxPercent && percent > *s.maxPercent)
        r = Result::fail(reading + ", above max_percent " + limitText(*s.maxPercent));
    else if (percent < s.minPercent)
        r = Result::fail(reading + ", below min_percent " + limitText(s.minPercent));
    else if (s.maxPercent)
        r = Result::pass(reading + " (allowed " + human::number(s.minPercent) + ".." + limitText(*s.maxPercent) + ")");
    else if (s.minPercent > 0)
        r = Result::pass(reading + " (min " + limitText(s.minPercent) + ")");
    else
        r = Result::pass(reading);
    r.withValue(percent, "%");
    r.detail("pid", pidList(measured));
    if (pids.size() != measured.size() && s.sumMatches) r.detail("matching", std::to_string(pids.size()));
    r.detail("window", human::quantity(seconds, "s"));
    return r;
}

Result ProcessCpuCheck::run(const CheckContext& context) {
    std::optional<Result> problem;
    std::vector<int> pids = select(problem);
    if (problem) {
        previous_.reset();
        return *problem;
    }
    Sample now = sample(pids);
    if (now.used.empty()) {
        previous_.reset();
        return Result::fail(settings_.target() + " (pid " + pidList(pids) + ") exited during the reading");
    }
    bool continuing = false;
    if (previous_)
        for (const auto& entry : now.used) continuing = continuing || previous_->used.count(entry.first) > 0;
    if (continuing) {
        Result r = judge(*previous_, now, pids);
        previous_ = std::move(now);
        return r;
    }
    std::string restarted;
    if (previous_) {
        std::vector<int> was, is;
        for (const auto& e : previous_->used) was.push_back(e.first.first);
        for (const auto& e : now.used) is.push_back(e.first.first);
        restarted = "pid " + pidList(was) + " -> " + pidList(is);
    }
    // No baseline yet (first run, or the process restarted with a new pid): one sample says nothing
    // about a rate. Either measure over a short window now, or say so rather than guess.
    auto window = std::min(settings_.baseline, context.timeout / 2);
    if (window <= std::chrono::milliseconds(0)) {
        std::vector<int> is;
        for (const auto& e : now.used) is.push_back(e.first.first);
        previous_ = std::move(now);
        Result r = Result::pass(settings_.target() + " (pid " + pidList(is) + ")" + (restarted.empty() ? "" : " restarted") +
                                ", warming up: CPU is measured from the next run");
        if (!restarted.empty()) r.detail("restarted", restarted);
        return r;
    }
    const auto until = SteadyClock::now() + window;
    while (SteadyClock::now() < until) {
        if (context.isCancelled()) return Result::error("cancelled while measuring CPU");
        std::this_thread::sleep_for(std::min<SteadyClock::duration>(std::chrono::milliseconds(20), until - SteadyClock::now()));
    }
    Sample after = sample(pids);
    bool survived = false;
    for (const auto& entry : after.used) survived = survived || now.used.count(entry.first) > 0;
    if (!survived) {
        previous_.reset();
        std::vector<int> was;
        for (const auto& e : now.used) was.push_back(e.first.first);
        return Result::fail(settings_.target() + " (pid " + pidList(was) + ") exited during the reading");
    }
    Result r = judge(now, after, pids);
    if (!restarted.empty()) r.detail("restarted", restarted);
    previous_ = std::move(after);
    return r;
}

}  // namespace watchdog::process_cpu

WATCHDOG_CHECK_PLUGIN(watchdog::process_cpu::ProcessCpuCheck)
