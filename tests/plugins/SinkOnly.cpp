// A valid sink plugin, used where a check is expected to test the wrong-kind error.
#include <watchdog/Plugin.h>

namespace {

class DiscardSink : public watchdog::Sink {
public:
    void configure(const watchdog::Options&) override {}
    void write(const std::vector<watchdog::Record>&) override {}
};

}  // namespace

WATCHDOG_SINK_PLUGIN(DiscardSink)
