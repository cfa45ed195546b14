// Icecast's /admin/stats parser on whatever a hostile or broken server sends: a result or a
// std::exception with the reason; bounded depth, no crash.
#include "IcecastStats.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        (void)watchdog::icecast::parseIcecastStats(std::string(reinterpret_cast<const char*>(data), size));
    } catch (const std::exception&) {
    }
    return 0;
}
