#pragma once

// A real MariaDB server (Debian mariadb-server: mariadb-install-db + mariadbd) in a temp datadir, on
// a free loopback port and a unix socket, with a real password-protected test user.

#include "TestSupport.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace watchdog::test {

/// Installs a fresh datadir and starts mariadbd (as root, no systemd, no config files read); stopped
/// and deleted when destroyed. Throws std::runtime_error with a clear message when the programs are
/// missing or the server does not come up. stop()/kill() then start() reuse the same datadir and port.
class MariaDbServer {
public:
    /// What the test chooses; the harness picks the port, socket and paths.
    struct Settings {
        std::string database = "watchdog";              ///< created at install, granted to `user`
        std::string user = "watchdog";                  ///< a real account (mysql_native_password)
        std::string password = "wd-secret";             ///< its password
        std::chrono::milliseconds startTimeout{30000};  ///< how long to wait for the server to accept connections
        std::vector<std::string> serverOptions;         ///< extra mariadbd options, e.g. "--ssl-cert=/path"
    };

    /// One server with default settings for the whole test program, started at first use.
    static MariaDbServer& shared();

    /// Installs and starts a server with default settings.
    MariaDbServer();
    /// Installs and starts a server with these settings.
    explicit MariaDbServer(Settings settings);
    /// Stops the server (SIGTERM, then SIGKILL) and removes the datadir.
    ~MariaDbServer();
    MariaDbServer(const MariaDbServer&) = delete;
    MariaDbServer& operator=(const MariaDbServer&) = delete;

    /// "127.0.0.1".
    std::string host() const { return "127.0.0.1"; }
    /// The loopback TCP port it listens on (the same after a restart).
    int port() const { return port_; }
    /// The unix socket path.
    std::string socketPath() const;
    /// The test user's name.
    const std::string& user() const { return settings_.user; }
    /// The test user's password.
    const std::string& password() const { return settings_.password; }
    /// The database granted to the test user.
    const std::string& database() const { return settings_.database; }
    /// YAML lines for the mysql sink: host, port, user, password, database (each "key: value\n").
    std::string sinkOptionsYaml() const;

    /// Starts mariadbd on the existing datadir and port; waits until it accepts connections. No-op if running.
    void start();
    /// Clean shutdown (SIGTERM, waits for exit); the port then refuses connections. Safe to call twice.
    void stop();
    /// SIGKILL, as a crash or an OOM kill would; InnoDB recovers on the next start().
    void kill();
    /// stop() then start().
    void restart();
    /// True while mariadbd runs.
    bool running();

    /// Runs SQL as root over the socket with the `mariadb` client (batch mode, no column names);
    /// returns its output (tab-separated rows, one per line). Throws with the client's message on error.
    std::string sql(const std::string& statements, const std::string& database = {}) const;
    /// Like sql() but returns {exit code, output} instead of throwing.
    std::pair<int, std::string> trySql(const std::string& statements, const std::string& database = {}) const;
    /// Creates a new database named `prefix` and a number, granted to the test user from localhost
    /// and 127.0.0.1; returns its name.
    std::string freshDatabase(const std::string& prefix);

    /// The server's console output (its error log), for failure messages.
    std::string log() const;
    /// The directory holding the datadir, socket and log.
    const std::string& directory() const { return dir_.path(); }

private:
    std::string tmpDir() const;
    void install();
    bool launch(std::string& why);

    Settings settings_;
    TempDir dir_;
    int port_ = 0;
    int databases_ = 0;  // made by freshDatabase
    std::string mariadbd_;
    std::string client_;
    std::unique_ptr<ChildProcess> process_;
    std::string previousLogs_;
};

}  // namespace watchdog::test
