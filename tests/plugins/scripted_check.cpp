// A check whose result the test writes into a file: "pass|fail|error|hang|throw [summary]".
// Optional second line "value=N". Every run appends a line to `runs_file` if given.
#include "watchdog/Plugin.h"

#include <fstream>
#include <sstream>
#include <thread>

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
        if (word == "pass") r = watchdog::Result::pass(summary);
        else if (word == "fail") r = watchdog::Result::fail(summary);
        else if (word == "hang") {
            // Ignores cancellation on purpose: the scheduler must cope with a check that never returns in time.
            std::this_thread::sleep_for(std::chrono::seconds(30));
            r = watchdog::Result::pass("woke up");
        } else if (word == "throw") throw std::runtime_error(summary.empty() ? "scripted exception" : summary);
        else r = watchdog::Result::error(summary);
        if (second.rfind("value=", 0) == 0) r.withValue(std::stod(second.substr(6)), "");
        return r;
    }

private:
    std::string file_;
    std::string runsFile_;
};

}  // namespace

WATCHDOG_CHECK_PLUGIN(ScriptedCheck)
