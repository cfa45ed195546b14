#include "MysqlSettings.h"

namespace watchdog::mysql {

namespace {

template <class Block>
MysqlSettings readSettings(const Block& options) {
    MysqlSettings s;
    s.host = options.string("host", s.host);
    s.port = static_cast<unsigned>(options.integer("port", 3306, 1, 65535));
    s.socket = options.path("socket", "");
    s.user = options.string("user");
    s.password = options.secret("password", "");
    s.database = options.string("database");
    s.tls = options.choice("tls", {"disabled", "required", "verify"}, "disabled");
    s.tlsCa = options.path("tls_ca", "");
    if (s.tls == "verify" && s.tlsCa.empty())
        options.report("tls_ca", "tls: verify needs tls_ca, the CA certificate (PEM) that signed the server's");
    if (s.tls == "disabled" && !s.tlsCa.empty()) options.report("tls_ca", "is set but tls is disabled (use tls: verify or tls: required)");
    s.connectTimeout = options.duration("connect_timeout", s.connectTimeout);
    if (s.connectTimeout < std::chrono::seconds(1) || s.connectTimeout > std::chrono::minutes(10))
        options.report("connect_timeout", "must be between 1s and 10m");
    s.ioTimeout = options.duration("io_timeout", s.ioTimeout);
    if (s.ioTimeout < std::chrono::seconds(1) || s.ioTimeout > std::chrono::hours(1))
        options.report("io_timeout", "must be between 1s and 1h");
    return s;
}

}  // namespace

MysqlSettings readMysqlSettings(const Options& options) { return readSettings(options); }

MysqlSettings readMysqlSettings(const DeclaredOptions& options) { return readSettings(options); }

}  // namespace watchdog::mysql
