#include "DiscordNotifyAction.h"

namespace watchdog::discord_notify {

const OptionTable& DiscordNotifyAction::declaredOptions() {
    static const OptionTable table{
        {"webhook_url", "secret", "", "required", "", "${DISCORD_WEBHOOK_URL}",
         "`https://discord.com/api/webhooks/ID/TOKEN` as copied from Discord; any host and an `http://` URL are accepted (proxies, local test endpoints) but the path must end in `/api/webhooks/ID/TOKEN` (or `/api/vN/...`); a query such as `?thread_id=...` is kept. Use `${DISCORD_WEBHOOK_URL}`"},
        {"username", "string", "", "the webhook's name", "", "Encoder Watchdog", "name shown on the messages (at most 80 characters)"},
        {"avatar_url", "URL", "", "the webhook's avatar", "", "https://radio.example/logo.png", "picture shown on the messages"},
        {"mention", "role id", "", "none", "", "123456789012345678",
         "role pinged on `warning` and `failover`: `123456789012345678` or `<@&123456789012345678>`"},
        {"events", "list of event names", "", "all", "", "[warning, failover, recovered]",
         "which events to send: `startup`, `status`, `warning`, `cancelled`, `failover`, `outcome`, `recovered`, `check_error`, `shutdown`, and the closed-loop events `limited`, `verified`, `not_verified`, `failback`, `failback_cancelled`, `flapping`, `stable`, and the operator's `maintenance_started`, `maintenance_ended`, `acknowledged`"},
        {"request_timeout", "duration", "10s", "", "", "5s",
         "one deadline for each attempt: connecting, sending and the whole answer (a proxy that answers a byte at a time cannot stretch it)"},
        {"max_retry_time", "duration", "2m", "", "", "5m", "how long one message may keep being retried"},
        {"retry_backoff", "duration", "1s", "", "", "2s", "first wait after a 5xx or network error; doubles each retry"},
        {"max_backoff", "duration", "30s", "", "", "1m", "longest such wait (at least `retry_backoff`)"},
        {"ca_file", "path", "", "system store", "", "/etc/ssl/private/proxy-ca.pem",
         "PEM bundle to trust instead of the system CAs (a TLS-intercepting proxy)"},
        {"incident_card", "bool", "true", "", "", "false",
         "one message per incident, edited as it moves (see above); `false`: one message per event"},
        {"also_post", "list of event names", "[failover, recovered, limited, not_verified]", "", "", "[failover]",
         "incident events that are also posted as a message of their own (edits do not notify)"},
        {"state_file", "path", "",
         "`discord_notify-<ACTION ID>.json` beside the daemon's default state file (`$STATE_DIRECTORY` under systemd, else the pipeline's folder)",
         "", "/var/lib/encoder-watchdog/discord.json",
         "where the cards' message ids and steps are kept; set it when `watchdog.state_file` points elsewhere; relative paths are relative to the pipeline file"},
    };
    return table;
}

}  // namespace watchdog::discord_notify
