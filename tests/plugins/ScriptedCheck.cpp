// A check whose result the test writes into a file: "pass|fail|error|hang|throw [summary]".
// Optional second line "value=N [UNIT]". Every run appends a line to `runs_file` if given.
// Misbehaving as third-party plugins do (for `isolate: process`): "segfault", "abort", "exit N",
// "allocate" (1 MiB blocks, never touched, until new fails or 16 GiB), "count": passes with
// "run N in process PID", N counting this instance's runs (state kept between runs), and
// "log TEXT": logs TEXT as a warning of logger watchdog.plugin.scripted, then passes.
#include <watchdog/Plugin.h>

#include <Poco/Logger.h>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

namespace {

class ScriptedCheck : public watchdog::Check {
public:
    void configure(const watchdog::Options& options) override {
        file_ = options.path("file");
        runsFile_ = options.path("runs_file", "");
    }

    watchdog::Result run(const watchdog::CheckContext& context) override {
        if (!runsFile_.empty()) std::ofstream(runsFile_, std::ios::app) << context.id << '\n';
        std::ifstream in(file_);
        if (!in) return watchdog::Result::error("no script file " + file_);
        std::string word, summary, second;
        in >> word;
        std::getline(in, summary);
        if (!summary.empty() && summary.front() == ' ') summary.erase(0, 1);
        std::getline(in, second);
        watchdog::Result r;
        if (word == "pass")
            r = watchdog::Result::pass(summary);
        else if (word == "fail")
            r = watchdog::Result::fail(summary);
        else if (word == "hang") {
            // Ignores cancellation on purpose: the scheduler must cope with a check that never returns in time.
            std::this_thread::sleep_for(std::chrono::seconds(30));
            r = watchdog::Result::pass("woke up");
        } else if (word == "throw")
            throw std::runtime_error(summary.empty() ? "scripted exception" : summary);
        else if (word == "segfault") {
            // A crash no handler turns into something else (Poco's abort(), ASan's report and exit 1).
            std::signal(SIGSEGV, SIG_DFL);
            std::raise(SIGSEGV);
        } else if (word == "abort") {
            std::abort();
        } else if (word == "exit") {
            std::exit(std::atoi(summary.c_str()));
        } else if (word == "allocate") {
            std::vector<std::unique_ptr<char[]>> blocks;
            while (blocks.size() < 16 * 1024) blocks.emplace_back(new char[1 << 20]);
            r = watchdog::Result::pass("allocated 16 GiB without a limit");
        } else if (word == "count") {
            ++runs_;
            r = watchdog::Result::pass("run " + std::to_string(runs_) + " in process " + std::to_string(::getpid()));
            r.withValue(static_cast<double>(runs_), "");
        } else if (word == "log") {
            Poco::Logger::get("watchdog.plugin.scripted").warning(summary);
            r = watchdog::Result::pass("logged");
        } else
            r = watchdog::Result::error(summary);
        if (second.rfind("value=", 0) == 0) {
            std::istringstream value(second.substr(6));
            double number = 0;
            std::string unit;
            value >> number >> unit;
            r.withValue(number, unit);
        }
        return r;
    }

private:
    std::string file_;
    std::string runsFile_;
    int runs_ = 0;
};

}  // namespace

WATCHDOG_CHECK_PLUGIN(ScriptedCheck)
