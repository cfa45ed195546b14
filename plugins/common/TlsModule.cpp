#include "TlsModule.h"

#include <dlfcn.h>
#include <limits.h>

#include <atomic>
#include <mutex>

namespace watchdog::common {

namespace {

std::atomic<const TlsModuleApi*> loaded{nullptr};

std::string lastError() {
    const char* text = ::dlerror();
    return text ? text : "unknown error";
}

// The directory libencoder-watchdog-core.so was loaded from, when it is loaded.
std::string coreLibraryDirectory() {
    void* core = ::dlopen(WATCHDOG_CORE_SONAME, RTLD_NOW | RTLD_NOLOAD);
    if (!core) return "";
    char origin[PATH_MAX] = {};
    const bool found = ::dlinfo(core, RTLD_DI_ORIGIN, origin) == 0;
    ::dlclose(core);
    return found ? origin : "";
}

void* openModule(std::string& tried) {
    if (void* handle = ::dlopen(WATCHDOG_TLS_SONAME, RTLD_NOW | RTLD_NOLOAD)) return handle;
    if (const std::string dir = coreLibraryDirectory(); !dir.empty()) {
        const std::string path = dir + "/" + WATCHDOG_TLS_SONAME;
        if (void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) return handle;
        tried += lastError() + "; ";
    }
    if (void* handle = ::dlopen(WATCHDOG_TLS_SONAME, RTLD_NOW | RTLD_LOCAL)) return handle;
    tried += lastError();
    return nullptr;
}

const TlsModuleApi* load() {
    std::string tried;
    void* handle = openModule(tried);
    if (!handle) throw Poco::LibraryLoadException("cannot load the TLS module " WATCHDOG_TLS_SONAME, tried);
    using Entry = const TlsModuleApi* (*)();
    const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "watchdog_tls_module"));
    const TlsModuleApi* api = entry ? entry() : nullptr;
    if (!api || api->version != kTlsModuleVersion)
        throw Poco::LibraryLoadException("the TLS module " WATCHDOG_TLS_SONAME " is of another build", "reinstall encoder-watchdog");
    return api;  // never unloaded: contexts and sessions made by it may live until exit
}

}  // namespace

const TlsModuleApi& tlsModule() {
    if (const TlsModuleApi* api = loaded.load()) return *api;  // every exchange after the first
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    if (const TlsModuleApi* api = loaded.load()) return *api;
    const TlsModuleApi* api = load();  // a failure is tried again next time (the file may be installed since)
    loaded.store(api);
    return *api;
}

const TlsModuleApi* loadedTlsModule() { return loaded.load(); }

}  // namespace watchdog::common
