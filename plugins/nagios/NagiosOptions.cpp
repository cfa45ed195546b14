#include "NagiosCheck.h"

namespace watchdog::nagios {

const OptionTable& NagiosCheck::declaredOptions() {
    static const OptionTable table{
        {"command", "list of strings (one string with `shell: true`)", "", "required", "",
         "[check_http, -H, radio.example.org, -u, /live.m3u8]", "the plugin and its arguments"},
        {"shell", "boolean", "false", "", "", "true", "run `command` (one string) with `/bin/sh -c`"},
        {"warning_passes", "boolean", "false", "", "", "true", "exit 1 (WARNING) passes instead of failing"},
        {"env", "list of `NAME=value` strings", "[]", "", "", "[PGPASSWORD=${DB_PASS}, LANG=C.UTF-8]",
         "added to (or replacing in) the plugin's minimal environment"},
    };
    return table;
}

}  // namespace watchdog::nagios
