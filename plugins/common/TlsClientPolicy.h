#pragma once

// The one TLS client policy of every outbound HTTPS call (Icecast, Discord, EC2): the server's
// certificate is always verified, against the system CAs or a PEM bundle the user names, with
// TLS 1.2 or newer. There is deliberately no way to turn verification off.

#include <Poco/Net/Context.h>

#include <string>

namespace watchdog::common {

/// A new client context: verifies the peer against `caFile` (a PEM bundle or hashed directory), or
/// the system CAs when it is empty; TLS 1.2 at least. Throws Poco::Exception when `caFile` cannot
/// be used. Never SSLManager's default context, which inside a Util::Application prompts on stdin
/// for a bad certificate (protocols.md 5.4).
Poco::Net::Context::Ptr newTlsClientContext(const std::string& caFile = "");

/// One shared context per `caFile` for the life of the process (made on first use).
Poco::Net::Context::Ptr sharedTlsClientContext(const std::string& caFile = "");

}  // namespace watchdog::common
