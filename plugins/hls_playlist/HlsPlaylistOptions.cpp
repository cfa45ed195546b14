#include "HlsPlaylistCheck.h"

namespace watchdog::hls_playlist {

const OptionTable& HlsPlaylistCheck::declaredOptions() {
    static const OptionTable table{
        {"path", "path", "", "one of `path` or `url` is required", "", "/var/www/hls/live.m3u8",
         "a local playlist (relative paths are relative to the pipeline file)"},
        {"url", "string (`http://` or `https://` URL, no credentials)", "", "one of `path` or `url` is required", "",
         "https://radio.example.org/hls/master.m3u8", "a playlist over HTTP(S)"},
        {"max_stall", "duration", "", "3 x `#EXT-X-TARGETDURATION` of each media playlist", "> 0", "30s",
         "the newest segment unchanged for longer than this fails"},
        {"check_segments", "integer", "3", "", "0..1000", "5",
         "how many of the newest segments of each media playlist are looked at (0: none)"},
        {"max_bytes", "size", "1M", "", ">= 1K", "256K", "a larger playlist is an error (it is never read whole)"},
        {"ca_file", "path (https only)", "", "the system's CAs", "", "/etc/ssl/station-ca.pem",
         "PEM bundle trusted for the server's certificate"},
    };
    return table;
}

}  // namespace watchdog::hls_playlist
