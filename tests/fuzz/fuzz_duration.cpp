// The duration parser: never crashes or overflows, stays within maxDuration, and what formatDuration
// writes parses back to the same value.
#include <watchdog/Duration.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto d = watchdog::parseDuration(text);
    if (!d) {
        (void)watchdog::isOverlongDuration(text);
        return 0;
    }
    if (d->count() < 0 || *d > watchdog::maxDuration) std::abort();
    const auto again = watchdog::parseDuration(watchdog::formatDuration(*d));
    // formatDuration rounds sub-second remainders of long durations; it must still read back.
    if (!again) std::abort();
    (void)watchdog::parseSize(text);
    return 0;
}
