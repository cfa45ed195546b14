#pragma once

#include "MysqlConnection.h"

#include <watchdog/OptionTable.h>

namespace watchdog::mysql {

/// Reads the connection keys every MariaDB user of the project shares (the mysql sink, the `ha`
/// lease): host, port, socket, user, password (a secret), database, tls, tls_ca, connect_timeout,
/// io_timeout. Throws (or records, in a collecting block) a ConfigError at the offending key.
MysqlSettings readMysqlSettings(const Options& options);
/// The same, read through the mysql sink's declared options.
MysqlSettings readMysqlSettings(const DeclaredOptions& options);

}  // namespace watchdog::mysql
