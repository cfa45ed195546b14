#include "IcecastCheck.h"

namespace watchdog::icecast {

const OptionTable& IcecastCheck::declaredOptions() {
    static const OptionTable table{
        {"url", "string (http/https URL)", "", "required", "", "http://127.0.0.1:8000",
         "Icecast's base URL; a path prefix is kept (`https://radio.example/ice` asks `/ice/admin/stats`). No credentials, query or fragment in it."},
        {"user", "string", "admin", "", "", "admin", "the `<admin-user>` of icecast.xml"},
        {"password", "secret", "", "required", "", "${ICECAST_PASS}", "the `<admin-password>`; never logged or shown"},
        {"mount", "string starting with `/`", "", "none", "", "/live", "check only this mount: pass when a source is connected to it"},
        {"min_sources", "integer", "1", "", "1..100000", "2", "connected sources needed to pass (not allowed together with `mount`)"},
        {"ca_file", "path (https only)", "", "system CAs", "", "/etc/ssl/private/station-ca.pem",
         "PEM bundle (or hashed directory) to trust instead of the system CAs"},
        {"max_body", "size", "8M", "", "", "1M", "larger answers are refused with an error"},
        {"min_kbps", "number", "", "none", "> 0 (kbit/s)", "64",
         "fail when a counted source sends less than this: a source that is connected but stalled (below)"},
        {"expect_source_ip", "address", "", "none", "", "10.0.0.2",
         "fail when a counted mount is fed from another address: which encoder feeds it, primary or backup (below)"},
    };
    return table;
}

}  // namespace watchdog::icecast
