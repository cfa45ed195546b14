// The HLS playlist parser (media and master) on arbitrary text: a playlist or a std::exception.
#include "HlsPlaylistParse.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)watchdog::hls_playlist::parseHlsPlaylist(text);
    } catch (const std::exception&) {
    }
    (void)watchdog::hls_playlist::printableExcerpt(text);
    return 0;
}
