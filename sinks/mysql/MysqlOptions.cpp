#include "MysqlSink.h"

namespace watchdog::mysql {

const OptionTable& MysqlSink::declaredOptions() {
    static const OptionTable table{
        {"host", "string", "127.0.0.1", "", "", "db.internal", "server host name or address (TCP); ignored when `socket` is set"},
        {"port", "integer", "3306", "", "1..65535", "3307", "TCP port"},
        {"socket", "path", "", "none", "", "/run/mysqld/mysqld.sock",
         "unix socket (e.g. `/run/mysqld/mysqld.sock`); when set, TCP is not used"},
        {"user", "string", "", "required", "", "watchdog", "account name"},
        {"password", "secret", "", "empty", "", "${DB_PASS}",
         "account password; write it as `${DB_PASS}` and keep the value in the environment or the `env_file`. Never logged"},
        {"database", "string", "", "required", "", "watchdog", "database holding the tables (it must exist; the sink creates the tables)"},
        {"tls", "`disabled`, `required` or `verify`", "disabled", "", "", "verify",
         "`required`: the connection must be encrypted (the server's certificate is not checked); `verify`: encrypted, and the certificate must be signed by `tls_ca` and name the host"},
        {"tls_ca", "path", "", "none", "", "/etc/mysql/ca.pem", "CA certificate (PEM) for `tls: verify` (required then)"},
        {"connect_timeout", "duration", "5s", "", "", "10s", "login timeout (1s..10m; the client library counts whole seconds)"},
        {"io_timeout", "duration", "30s", "", "", "1m",
         "read and write timeout of one statement, so a hung server cannot stall the sink forever (1s..1h)"},
        {"table", "table name", "monitoring_logs", "", "", "station_logs",
         "the old script's table; an existing one keeps its label column, `parameter` or `flag_name` (see below)"},
        {"records_table", "table name", "watchdog_records", "", "", "station_records", "the sink's own table"},
    };
    return table;
}

}  // namespace watchdog::mysql
