// A check whose configure throws something that is not a std::exception: `validate` and `check` must
// report it for that check and carry on.
#include <watchdog/Plugin.h>

namespace {

class ThrowsInConfigureCheck : public watchdog::Check {
public:
    void configure(const watchdog::Options&) override { throw 42; }
    watchdog::Result run(const watchdog::CheckContext&) override { return watchdog::Result::pass("unreachable"); }
};

}  // namespace

WATCHDOG_CHECK_PLUGIN(ThrowsInConfigureCheck)
