#include "HlsAgeCheck.h"

namespace watchdog::hls_age {

const OptionTable& HlsAgeCheck::declaredOptions() {
    static const OptionTable table{
        {"directory", "path", "", "required", "", "/var/www/hls", "the HLS folder (relative paths are relative to the pipeline file)"},
        {"pattern", "string (shell glob)", "*.ts", "", "", "*.m4s", "names of the segments"},
        {"exclude", "list of names or globs", "[]", "", "", "[index.html]", "names ignored"},
        {"max_age", "duration", "15m", "", "> 0", "900s", "any matching file older than this fails"},
        {"newest_max_age", "duration", "", "off", "> 0", "30s",
         "the newest matching file older than this fails (\"the encoder stopped writing\"); with it, an empty folder fails too"},
        {"playlist", "string", "", "off", "", "live.m3u8",
         "playlist to check, relative to `directory` (or an absolute path): it must exist, be fresher than `playlist_max_age`, and every segment it lists must exist"},
        {"playlist_max_age", "duration", "", "`newest_max_age` if set, else `1m`", "> 0 (only with `playlist`)", "20s",
         "the playlist not modified for longer fails"},
    };
    return table;
}

}  // namespace watchdog::hls_age
