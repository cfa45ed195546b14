#include "MariaDbLibrary.h"

#include "MysqlConnection.h"

#include <dlfcn.h>

#ifndef WATCHDOG_MARIADB_LIBRARY
#define WATCHDOG_MARIADB_LIBRARY "libmariadb.so.3"
#endif

namespace watchdog::mysql {
namespace {

[[noreturn]] void cannotLoad(const std::string& library) {
    const char* reason = dlerror();
    throw MysqlError(0, "cannot load the MariaDB client library " + library + ": " + (reason ? reason : "unknown error"));
}

template <typename Function>
void resolve(void* handle, const std::string& library, const char* name, Function& function) {
    dlerror();
    void* symbol = dlsym(handle, name);
    if (!symbol) cannotLoad(library);
    function = reinterpret_cast<Function>(symbol);
}

}  // namespace

MariaDbApi loadMariaDb(const std::string& library) {
    void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) cannotLoad(library);
    MariaDbApi api{};
    try {
        resolve(handle, library, "mysql_server_init", api.library_init);
        resolve(handle, library, "mysql_init", api.init);
        resolve(handle, library, "mysql_options", api.options);
        resolve(handle, library, "mysql_real_connect", api.real_connect);
        resolve(handle, library, "mysql_close", api.close);
        resolve(handle, library, "mysql_errno", api.errno_);
        resolve(handle, library, "mysql_error", api.error);
        resolve(handle, library, "mysql_real_query", api.real_query);
        resolve(handle, library, "mysql_store_result", api.store_result);
        resolve(handle, library, "mysql_free_result", api.free_result);
        resolve(handle, library, "mysql_num_fields", api.num_fields);
        resolve(handle, library, "mysql_fetch_row", api.fetch_row);
        resolve(handle, library, "mysql_fetch_lengths", api.fetch_lengths);
        resolve(handle, library, "mysql_real_escape_string", api.real_escape_string);
        resolve(handle, library, "mysql_stmt_init", api.stmt_init);
        resolve(handle, library, "mysql_stmt_prepare", api.stmt_prepare);
        resolve(handle, library, "mysql_stmt_bind_param", api.stmt_bind_param);
        resolve(handle, library, "mysql_stmt_execute", api.stmt_execute);
        resolve(handle, library, "mysql_stmt_errno", api.stmt_errno);
        resolve(handle, library, "mysql_stmt_error", api.stmt_error);
        resolve(handle, library, "mysql_stmt_close", api.stmt_close);
    } catch (...) {
        dlclose(handle);
        throw;
    }
    return api;
}

const MariaDbApi& MariaDbLoader::api() {
    if (loaded_.load(std::memory_order_acquire)) return api_;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!loaded_.load(std::memory_order_relaxed)) {
        api_ = loadMariaDb(library_);
        api_.library_init(0, nullptr, nullptr);
        loaded_.store(true, std::memory_order_release);
    }
    return api_;
}

const MariaDbApi& mariaDb() {
    static MariaDbLoader loader(WATCHDOG_MARIADB_LIBRARY);
    return loader.api();
}

}  // namespace watchdog::mysql
