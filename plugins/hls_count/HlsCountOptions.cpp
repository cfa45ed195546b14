#include "HlsCountCheck.h"

namespace watchdog::hls_count {

const OptionTable& HlsCountCheck::declaredOptions() {
    static const OptionTable table{
        {"directory", "path", "", "required", "", "/var/www/hls", "the HLS folder (relative paths are relative to the pipeline file)"},
        {"pattern", "string (shell glob)", "*.ts", "", "", "*.m4s", "names that count"},
        {"exclude", "list of names or globs", "[]", "", "", "[index.html, live.m3u8]", "names never counted, even if they match `pattern`"},
        {"max_files", "integer", "20", "", ">= 0", "20", "more files than this fails"},
        {"min_files", "integer", "", "`0` (no minimum)", ">= 0, <= `max_files`", "3", "fewer files than this fails"},
    };
    return table;
}

}  // namespace watchdog::hls_count
