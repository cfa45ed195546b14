// A check that flaps on demand: while its file says "toggle" it fails and passes on alternate runs
// (its state changes at every interval), with "toggle_error" it errors and passes so; "pass" or
// "fail" hold it there.
#include <watchdog/Plugin.h>

#include <atomic>
#include <fstream>

namespace {

class TogglingCheck : public watchdog::Check {
public:
    void configure(const watchdog::Options& options) override { file_ = options.path("file"); }

    watchdog::Result run(const watchdog::CheckContext&) override {
        std::ifstream in(file_);
        std::string word;
        in >> word;
        if (word == "toggle") word = (failNext_ = !failNext_) ? "fail" : "pass";
        if (word == "toggle_error") word = (failNext_ = !failNext_) ? "error" : "pass";
        if (word == "error") return watchdog::Result::error("toggled into an error");
        return word == "fail" ? watchdog::Result::fail("toggled off") : watchdog::Result::pass("on");
    }

private:
    std::string file_;
    std::atomic<bool> failNext_{false};
};

}  // namespace

WATCHDOG_CHECK_PLUGIN(TogglingCheck)
