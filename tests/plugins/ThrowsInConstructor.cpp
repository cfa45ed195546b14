// A check whose constructor throws something that is not a std::exception: creating it must become a
// PluginError naming the plugin and its file.
#include <watchdog/Plugin.h>

namespace {

class ThrowsInConstructorCheck : public watchdog::Check {
public:
    ThrowsInConstructorCheck() { throw 42; }
    void configure(const watchdog::Options&) override {}
    watchdog::Result run(const watchdog::CheckContext&) override { return watchdog::Result::pass("unreachable"); }
};

}  // namespace

WATCHDOG_CHECK_PLUGIN(ThrowsInConstructorCheck)
