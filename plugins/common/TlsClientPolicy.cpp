#include "TlsClientPolicy.h"

#include <Poco/Net/SSLManager.h>

#include <map>
#include <mutex>

namespace watchdog::common {

Poco::Net::Context::Ptr newTlsClientContext(const std::string& caFile) {
    static std::once_flag ssl;
    std::call_once(ssl, [] { Poco::Net::initializeSSL(); });
    // VERIFY_RELAXED on a client verifies the server's certificate (and, with Poco's extended
    // verification, its name); the system store is loaded only when no CA file is given.
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, caFile, Poco::Net::Context::VERIFY_RELAXED, 9, caFile.empty());
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    return context;
}

Poco::Net::Context::Ptr sharedTlsClientContext(const std::string& caFile) {
    static std::mutex mutex;
    static std::map<std::string, Poco::Net::Context::Ptr> contexts;
    std::lock_guard<std::mutex> lock(mutex);
    auto& slot = contexts[caFile];
    if (!slot) slot = newTlsClientContext(caFile);
    return slot;
}

}  // namespace watchdog::common
