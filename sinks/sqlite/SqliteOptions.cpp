#include "SqliteSink.h"

namespace watchdog::sqlite {

const OptionTable& SqliteSink::declaredOptions() {
    static const OptionTable table{
        {"path", "path", "", "`history.db` beside the state file (when the sink is the default)", "",
         "/var/lib/encoder-watchdog/history.db",
         "the database file; relative paths are relative to the pipeline file; its folder is created if missing. Required when the sink is named in `sinks:`"},
        {"busy_timeout", "duration", "5s", "", "", "10s", "how long a write waits for a lock held by another connection (0s..1h)"},
        {"synchronous", "`full` or `normal`", "full", "", "", "normal",
         "SQLite's `PRAGMA synchronous`: `full` fsyncs the WAL at every batch (nothing committed is lost on power failure); `normal` is faster and may lose the last batches on power loss (never on a crash of the daemon)"},
    };
    return table;
}

}  // namespace watchdog::sqlite
