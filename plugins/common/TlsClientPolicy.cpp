#include "TlsClientPolicy.h"

#include "TlsModule.h"

#include <map>
#include <mutex>

namespace watchdog::common {

TlsContextPtr newTlsClientContext(const std::string& caFile) { return tlsModule().newContext(caFile); }

TlsContextPtr sharedTlsClientContext(const std::string& caFile) {
    static std::mutex mutex;
    static std::map<std::string, TlsContextPtr> contexts;
    std::lock_guard<std::mutex> lock(mutex);
    auto& slot = contexts[caFile];
    if (!slot) slot = newTlsClientContext(caFile);
    return slot;
}

}  // namespace watchdog::common
