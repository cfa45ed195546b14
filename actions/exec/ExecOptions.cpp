#include "ExecAction.h"

namespace watchdog::exec {

const OptionTable& ExecAction::declaredOptions() {
    static const OptionTable table{
        {"command", "list of strings", "", "required", "", "[/usr/local/bin/switch-dns, --to, backup]",
         "program and arguments, e.g. `[/usr/local/bin/switch-dns, --to, backup]`; with `shell: true` one string for `/bin/sh -c`"},
        {"shell", "bool", "false", "", "", "true", "run `command` through `/bin/sh -c` (pipes, `$VARS`)"},
        {"timeout", "duration", "60s", "", "", "2m", "then the process group is killed and the outcome fails"},
        {"kill_grace", "duration", "2s", "", "", "5s", "between SIGTERM and SIGKILL"},
        {"stdin_json", "bool", "true", "", "", "false", "write the event as JSON to stdin"},
        {"env", "list of `NAME=value`", "[]", "", "", "[\"DNS_TOKEN=${DNS_TOKEN}\", MODE=backup]",
         "variables the command gets, e.g. `[\"DNS_TOKEN=${DNS_TOKEN}\", MODE=backup]`"},
        {"pass_env", "list of names", "[]", "", "", "[AWS_PROFILE]",
         "variables of the daemon's own environment passed on as they are, e.g. `[AWS_PROFILE]`"},
        {"working_directory", "path", "", "the daemon's (`/` as a service)", "", "/srv/station",
         "relative to the pipeline file; must exist"},
        {"output_lines", "integer", "20", "", "1..1000", "50", "output lines kept in the outcome"},
        {"role", "`remedy` or `notifier`", "remedy", "", "", "notifier", "how the default rules treat it"},
        {"events", "list of event names", "", "all", "", "[warning, failover, recovered]",
         "events it runs for; others return `not run: ...`"},
    };
    return table;
}

}  // namespace watchdog::exec
