#include "ConsoleSink.h"

namespace watchdog::console {

const OptionTable& ConsoleSink::declaredOptions() {
    static const OptionTable table{
        {"kinds", "list of `results`, `events`", "[results, events]", "", "", "[events]", "which records to print"},
        {"color", "`auto`, `always` or `never`", "auto", "", "", "never",
         "ANSI colours on the status: `auto` colours only when the stream is a terminal, `TERM` is not `dumb` and `NO_COLOR` is unset"},
        {"stream", "`stdout` or `stderr`", "stdout", "", "", "stderr", "where the lines go"},
    };
    return table;
}

}  // namespace watchdog::console
