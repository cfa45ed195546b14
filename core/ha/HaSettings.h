#pragma once

#include "MysqlConnection.h"

#include <watchdog/Options.h>

#include <chrono>
#include <string>

namespace watchdog {

/// The `ha:` block: two or more watchdogs on one pipeline, one lease in MariaDB.
struct HaSettings {
    std::chrono::milliseconds ttl{15000};  ///< a lease not renewed for this long is free
    std::string node;                      ///< this node's name (default: the host name)
    bool primary = false;                  ///< the node on the encoder's host
    bool actWhenDbDown = false;            ///< `when_db_down: act` (default for a primary) or `wait`
    mysql::MysqlSettings database;         ///< the mysql sink's connection keys

    /// How often the lease is renewed: a third of the ttl, so two renewals may fail before it expires.
    std::chrono::milliseconds renewEvery() const { return ttl / 3; }
};

/// Reads and checks the block (lease: mysql, ttl from 1s to 10m, node, primary, when_db_down and the
/// mysql sink's host, port, socket, user, password, database, tls, tls_ca, connect_timeout,
/// io_timeout). Throws ConfigErrors with every problem as FILE:LINE:COL lines, unknown keys included.
HaSettings readHaSettings(const Options& options);

}  // namespace watchdog
