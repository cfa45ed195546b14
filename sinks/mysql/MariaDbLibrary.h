#pragma once

#include <mysql.h>

#include <atomic>
#include <mutex>
#include <string>

namespace watchdog::mysql {

/// The MariaDB client functions this code calls, resolved from the client library at run time so that a
/// daemon without a mysql sink or `ha:` lease never maps it (nor the TLS libraries it needs).
struct MariaDbApi {
    decltype(&::mysql_server_init) library_init;               ///< mysql_library_init (a macro for mysql_server_init)
    decltype(&::mysql_init) init;                              ///< mysql_init
    decltype(&::mysql_options) options;                        ///< mysql_options
    decltype(&::mysql_real_connect) real_connect;              ///< mysql_real_connect
    decltype(&::mysql_close) close;                            ///< mysql_close
    decltype(&::mysql_errno) errno_;                           ///< mysql_errno
    decltype(&::mysql_error) error;                            ///< mysql_error
    decltype(&::mysql_real_query) real_query;                  ///< mysql_real_query
    decltype(&::mysql_store_result) store_result;              ///< mysql_store_result
    decltype(&::mysql_free_result) free_result;                ///< mysql_free_result
    decltype(&::mysql_num_fields) num_fields;                  ///< mysql_num_fields
    decltype(&::mysql_fetch_row) fetch_row;                    ///< mysql_fetch_row
    decltype(&::mysql_fetch_lengths) fetch_lengths;            ///< mysql_fetch_lengths
    decltype(&::mysql_real_escape_string) real_escape_string;  ///< mysql_real_escape_string
    decltype(&::mysql_stmt_init) stmt_init;                    ///< mysql_stmt_init
    decltype(&::mysql_stmt_prepare) stmt_prepare;              ///< mysql_stmt_prepare
    decltype(&::mysql_stmt_bind_param) stmt_bind_param;        ///< mysql_stmt_bind_param
    decltype(&::mysql_stmt_execute) stmt_execute;              ///< mysql_stmt_execute
    decltype(&::mysql_stmt_errno) stmt_errno;                  ///< mysql_stmt_errno
    decltype(&::mysql_stmt_error) stmt_error;                  ///< mysql_stmt_error
    decltype(&::mysql_stmt_close) stmt_close;                  ///< mysql_stmt_close
};

/// One client library, loaded and initialised (mysql_library_init) by the first api() that finds it.
class MariaDbLoader {
public:
    /// `library`: a SONAME or a path, as dlopen() takes it.
    explicit MariaDbLoader(std::string library) : library_(std::move(library)) {}

    /// The loaded library; throws MysqlError while it cannot be loaded. A failure is not kept: the next
    /// call tries again, so a library installed meanwhile is found without a restart.
    const MariaDbApi& api();

private:
    const std::string library_;
    std::mutex mutex_;  // mysql_library_init is not thread-safe, and two sinks may connect at once
    MariaDbApi api_{};
    std::atomic<bool> loaded_{false};
};

/// The process's client library (WATCHDOG_MARIADB_LIBRARY, the SONAME found at configure time): see
/// MariaDbLoader::api().
const MariaDbApi& mariaDb();

/// dlopen()s `library` and resolves every function of MariaDbApi, without initialising the library;
/// throws MysqlError(0, "cannot load the MariaDB client library <library>: <dlerror>").
MariaDbApi loadMariaDb(const std::string& library);

}  // namespace watchdog::mysql
