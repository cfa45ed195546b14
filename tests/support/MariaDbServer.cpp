#include "MariaDbServer.h"

#include <csignal>
#include <stdexcept>
#include <sys/stat.h>

namespace watchdog::test {
namespace {

// Small InnoDB files and pool: install and start take about two seconds instead of allocating a
// 96 MB redo log. Durability settings (flush at commit, doublewrite) keep their defaults, so a
// killed server behaves as a production one does.
const std::vector<std::string> kServerOptions = {
    "--innodb-log-file-size=8M",
    "--innodb-buffer-pool-size=32M",
    // Debian's /etc/mysql config (skipped by --no-defaults) makes utf8mb4 the server default.
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
};

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

}  // namespace

MariaDbServer::MariaDbServer() : MariaDbServer(Settings{}) {}

MariaDbServer::MariaDbServer(Settings settings) : settings_(std::move(settings)) {
    mariadbd_ = findProgram("mariadbd");
    client_ = findProgram("mariadb");
    if (mariadbd_.empty() || client_.empty() || findProgram("mariadb-install-db").empty())
        throw std::runtime_error(
            "mariadbd, mariadb or mariadb-install-db is not installed: apt-get install "
            "mariadb-server mariadb-client (the tests need a real MariaDB)");
    install();
    std::string why;
    // A free port can be taken between freeLoopbackPort() and mariadbd's bind(): try a few.
    for (int attempt = 0; attempt < 3; ++attempt) {
        port_ = freeLoopbackPort();
        if (launch(why)) break;
        port_ = 0;
    }
    if (port_ == 0) throw std::runtime_error("mariadbd did not start: " + why);
    sql("CREATE DATABASE IF NOT EXISTS `" + settings_.database +
        "`;"
        "CREATE USER " +
        quoted(settings_.user) + "@'localhost' IDENTIFIED BY " + quoted(settings_.password) +
        ";"
        "CREATE USER " +
        quoted(settings_.user) + "@'127.0.0.1' IDENTIFIED BY " + quoted(settings_.password) +
        ";"
        "GRANT ALL ON `" +
        settings_.database + "`.* TO " + quoted(settings_.user) +
        "@'localhost';"
        "GRANT ALL ON `" +
        settings_.database + "`.* TO " + quoted(settings_.user) + "@'127.0.0.1';");
}

MariaDbServer::~MariaDbServer() {
    try {
        stop();
    } catch (...) {
    }
}

std::string MariaDbServer::socketPath() const { return dir_.file("mysqld.sock"); }

// Its own temporary folder: two servers bootstrapping at once in /tmp can clash on a file name.
std::string MariaDbServer::tmpDir() const {
    const std::string path = dir_.file("tmp");
    ::mkdir(path.c_str(), 0700);
    return path;
}

std::string MariaDbServer::sinkOptionsYaml() const {
    return "host: 127.0.0.1\nport: " + std::to_string(port_) + "\nuser: " + settings_.user + "\npassword: " + settings_.password +
           "\ndatabase: " + settings_.database + "\n";
}

void MariaDbServer::install() {
    std::vector<std::string> argv = {"mariadb-install-db",
                                     "--no-defaults",
                                     "--datadir=" + dir_.file("data"),
                                     "--user=root",
                                     "--auth-root-authentication-method=normal",
                                     "--skip-test-db",
                                     "--tmpdir=" + tmpDir()};
    argv.insert(argv.end(), kServerOptions.begin(), kServerOptions.end());
    auto [rc, output] = runCommand(argv, std::chrono::seconds(60));
    if (rc != 0) throw std::runtime_error("mariadb-install-db failed (exit " + std::to_string(rc) + "):\n" + output);
}

bool MariaDbServer::launch(std::string& why) {
    std::vector<std::string> argv = {mariadbd_,
                                     "--no-defaults",
                                     "--datadir=" + dir_.file("data"),
                                     "--socket=" + socketPath(),
                                     "--port=" + std::to_string(port_),
                                     "--bind-address=127.0.0.1",
                                     "--user=root",
                                     "--skip-name-resolve",
                                     "--pid-file=" + dir_.file("mariadbd.pid"),
                                     "--tmpdir=" + tmpDir()};
    argv.insert(argv.end(), kServerOptions.begin(), kServerOptions.end());
    argv.insert(argv.end(), settings_.serverOptions.begin(), settings_.serverOptions.end());
    process_ = std::make_unique<ChildProcess>(argv);
    bool up = waitUntil(
        [&] {
            if (!process_->running()) return true;
            return runCommand(
                       {findProgram("mariadb-admin"), "--no-defaults", "--socket=" + socketPath(), "-uroot", "--connect-timeout=2", "ping"},
                       std::chrono::seconds(5))
                       .first == 0;
        },
        settings_.startTimeout, std::chrono::milliseconds(100));
    if (up && process_->running()) return true;
    why = process_->running() ? "no answer within " + std::to_string(settings_.startTimeout.count()) + " ms" : "it exited";
    why += "; its log:\n" + process_->output();
    previousLogs_ += process_->output();
    process_->stop(std::chrono::milliseconds(3000));
    process_.reset();
    return false;
}

void MariaDbServer::start() {
    if (process_ && process_->running()) return;
    if (process_) previousLogs_ += process_->output();
    std::string why;
    // After a stop the port is usually free at once (mariadbd sets SO_REUSEADDR); retry briefly if not.
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (launch(why)) return;
    }
    throw std::runtime_error("mariadbd did not restart on port " + std::to_string(port_) + ": " + why);
}

void MariaDbServer::stop() {
    if (!process_ || !process_->running()) return;
    process_->stop(std::chrono::milliseconds(30000));
}

void MariaDbServer::kill() {
    if (!process_ || !process_->running()) return;
    process_->signal(SIGKILL);
    process_->wait(std::chrono::milliseconds(10000));
}

void MariaDbServer::restart() {
    stop();
    start();
}

bool MariaDbServer::running() { return process_ && process_->running(); }

std::pair<int, std::string> MariaDbServer::trySql(const std::string& statements, const std::string& database) const {
    std::vector<std::string> argv = {client_,   "--no-defaults",       "--socket=" + socketPath(),        "-uroot",
                                     "--batch", "--skip-column-names", "--default-character-set=utf8mb4", "-e",
                                     statements};
    if (!database.empty()) argv.push_back(database);
    return runCommand(argv, std::chrono::seconds(60));
}

MariaDbServer& MariaDbServer::shared() {
    static MariaDbServer instance;
    return instance;
}

std::string MariaDbServer::freshDatabase(const std::string& prefix) {
    const std::string name = prefix + std::to_string(++databases_);
    const std::string grant = "GRANT ALL ON " + name + ".* TO '" + settings_.user + "'@";
    sql("CREATE DATABASE " + name + "; " + grant + "'localhost'; " + grant + "'127.0.0.1';");
    return name;
}

std::string MariaDbServer::sql(const std::string& statements, const std::string& database) const {
    auto [rc, output] = trySql(statements, database);
    if (rc != 0) throw std::runtime_error("mariadb client failed (exit " + std::to_string(rc) + ") on: " + statements + "\n" + output);
    return output;
}

std::string MariaDbServer::log() const { return previousLogs_ + (process_ ? process_->output() : std::string()); }

}  // namespace watchdog::test
