#pragma once

// The one TLS client policy of every outbound HTTPS call (Icecast, Discord, EC2): the server's
// certificate is always verified, against the system CAs or a PEM bundle the user names, with
// TLS 1.2 or newer. There is deliberately no way to turn verification off. The TLS libraries
// (OpenSSL, Poco NetSSL) are loaded with the first context (TlsModule.h), never before.

#include <Poco/AutoPtr.h>
#include <Poco/RefCountedObject.h>

#include <string>

namespace watchdog::common {

/// A client context (a Poco::Net::Context inside the TLS module): held, copied and handed to
/// HttpCall::tls, never looked into outside the module.
using TlsContextPtr = Poco::AutoPtr<Poco::RefCountedObject>;

/// A new client context: verifies the peer against `caFile` (a PEM bundle or hashed directory), or
/// the system CAs when it is empty; TLS 1.2 at least. Loads the TLS module on first use. Throws
/// Poco::Exception when `caFile` cannot be used or the module cannot be loaded
/// (Poco::LibraryLoadException). Never SSLManager's default context, which inside a
/// Util::Application prompts on stdin for a bad certificate (protocols.md 5.4).
TlsContextPtr newTlsClientContext(const std::string& caFile = "");

/// One shared context per `caFile` for the life of the process (made on first use).
TlsContextPtr sharedTlsClientContext(const std::string& caFile = "");

}  // namespace watchdog::common
