#pragma once

// The TLS module, libencoder-watchdog-tls.so: everything that needs OpenSSL and Poco NetSSL, in a
// library of its own that is loaded with the first HTTPS context. A station whose checks and
// actions speak plain HTTP never maps libssl, libcrypto, PocoNetSSL or PocoCrypto (0.6 MiB resident,
// 0.5 MiB of it private: libcrypto's relocations). Internal to plugins/common.

#include "HttpFetch.h"
#include "TlsClientPolicy.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Types.h>

#include <memory>
#include <string>

namespace watchdog::common {

class DeadlineWatch;

/// Bumped whenever TlsModuleApi changes: a module of another version is refused.
constexpr int kTlsModuleVersion = 1;

/// What the module offers, as one table of functions (watchdog_tls_module() in the module).
struct TlsModuleApi {
    int version;  ///< kTlsModuleVersion of the module's build
    /// A client context per TlsClientPolicy.h; throws Poco::Exception for an unusable `caFile`.
    TlsContextPtr (*newContext)(const std::string& caFile);
    /// An HTTPS session to `address`:`port` bound to `watch`, checking the certificate against
    /// `peerHost` with `context` (from newContext); the handshake runs with the first write.
    std::unique_ptr<Poco::Net::HTTPClientSession> (*openSession)(DeadlineWatch& watch, HttpPhase& phase, const std::string& address,
                                                                 Poco::UInt16 port, const std::string& peerHost,
                                                                 const TlsContextPtr& context);
    /// True for the TLS layer's exceptions (Poco::Net::SSLException and its kinds).
    bool (*isTlsError)(const Poco::Exception& e);
};

/// The module, loaded on first use: the copy already in the process, else the one beside
/// libencoder-watchdog-core.so, else the dynamic linker's search. Throws Poco::LibraryLoadException
/// naming every place it looked.
const TlsModuleApi& tlsModule();

/// The module if it is loaded, else null (never loads it).
const TlsModuleApi* loadedTlsModule();

}  // namespace watchdog::common

/// The module's one exported symbol.
extern "C" const watchdog::common::TlsModuleApi* watchdog_tls_module();
