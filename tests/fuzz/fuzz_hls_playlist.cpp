// The HLS playlist parser (media and master) on arbitrary text: a playlist or a std::exception.
#include "hls_playlist_parse.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)watchdog::parseHlsPlaylist(text);
    } catch (const std::exception&) {
    }
    (void)watchdog::printableExcerpt(text);
    return 0;
}
