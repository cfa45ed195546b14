#include "ProcessCpuCheck.h"

namespace watchdog::process_cpu {

const OptionTable& ProcessCpuCheck::declaredOptions() {
    static const OptionTable table{
        {"name", "string", "", "-", "", "liquidsoap",
         "the process name (comm, as `ps -o comm` shows it; the kernel keeps only its first 15 characters, so only those are compared)"},
        {"cmdline", "string", "", "-", "", "radio.liq", "a substring of the command line (arguments joined with spaces)"},
        {"cmdline_regex", "string (ECMAScript regex)", "", "-", "", "'^liquidsoap .*radio\\.liq$'", "a regex searched in the command line"},
        {"pidfile", "path", "", "-", "", "/run/liquidsoap/liquidsoap.pid", "a file holding the pid"},
        {"min_percent", "number", "", "`0` (no minimum)", ">= 0", "20", "a reading below this fails"},
        {"max_percent", "number", "", "none", ">= `min_percent`", "180", "a reading above this fails"},
        {"multiple", "`sum` or `oldest`", "sum", "", "", "oldest",
         "when several processes match: add them up, or watch only the one started first"},
        {"baseline", "duration", "1s", "", "", "0s",
         "first reading (no previous sample): measure over this window within the run (at most half the timeout); `0s` says \"warming up\" instead"},
    };
    return table;
}

}  // namespace watchdog::process_cpu
