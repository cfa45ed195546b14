#include "HeartbeatAction.h"

namespace watchdog::heartbeat {

const OptionTable& HeartbeatAction::declaredOptions() {
    static const OptionTable table{
        {"url", "URL (secret)", "", "required", "", "https://hc-ping.com/UUID",
         "the ping URL, `http://` or `https://`, no `user:password@` (e.g. `https://hc-ping.com/UUID`)"},
        {"method", "`GET` or `POST`", "GET", "", "", "POST",
         "with `POST` the body is one line for the monitor's log: `station-eu: 4 checks, 1 failing; an incident is open`"},
        {"every", "duration", "", "`0` (every cycle)", "", "1m", "least time between two pings of the same kind"},
        {"timeout", "duration", "10s", "", "", "5s", "the whole exchange, more than 0"},
        {"start", "boolean", "true", "", "", "false", "ping `start_url` when the daemon starts"},
        {"fail_url", "URL (secret)", "", "`url` + `/fail` (before any `?query`)", "", "https://hc-ping.com/UUID/fail",
         "where to ping while an incident is open"},
        {"start_url", "URL (secret)", "", "`url` + `/start` (before any `?query`)", "", "https://hc-ping.com/UUID/start",
         "where to ping at start"},
        {"ca_file", "path", "", "system CAs", "", "/etc/ssl/private/monitor-ca.pem",
         "PEM bundle (or hashed directory) to verify an `https` endpoint against"},
    };
    return table;
}

}  // namespace watchdog::heartbeat
