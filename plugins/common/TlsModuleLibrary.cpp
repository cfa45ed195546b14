// The TLS module itself (libencoder-watchdog-tls.so, TlsModule.h): the only code of the project
// that links Poco NetSSL and, through it, OpenSSL.

#include "HttpSession.h"
#include "TlsModule.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>

#include <mutex>

namespace watchdog::common {

namespace {

TlsContextPtr newContext(const std::string& caFile) {
    static std::once_flag ssl;
    std::call_once(ssl, [] { Poco::Net::initializeSSL(); });
    // VERIFY_RELAXED on a client verifies the server's certificate (and, with Poco's extended
    // verification, its name); the system store is loaded only when no CA file is given.
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, caFile, Poco::Net::Context::VERIFY_RELAXED, 9, caFile.empty());
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    return context;
}

class TlsSession final : public BoundSession<Poco::Net::HTTPSClientSession> {
public:
    using BoundSession<Poco::Net::HTTPSClientSession>::BoundSession;

protected:
    int readBounded(char* buffer, std::streamsize length) override {
        try {
            return HTTPSClientSession::read(buffer, length);
        } catch (const Poco::Net::SSLException& e) {
            // OpenSSL 3 reports a peer that closes without close_notify as an error where Poco 1.11
            // expects the end of the stream; an answer delimited by the end of the connection
            // (Icecast's error pages, any HTTP/1.0 answer without Content-Length) ends that way.
            // A body that Content-Length says is longer still shows as short.
            if (e.message().find("unexpected eof") == std::string::npos) throw;
            return 0;
        }
    }
};

std::unique_ptr<Poco::Net::HTTPClientSession> openSession(DeadlineWatch& watch, HttpPhase& phase, const std::string& address,
                                                          Poco::UInt16 port, const std::string& peerHost, const TlsContextPtr& context) {
    const Poco::Net::Context::Ptr tls = context.cast<Poco::Net::Context>();
    if (!tls) throw Poco::InvalidArgumentException("not a TLS client context");
    auto session = std::make_unique<TlsSession>(watch, phase, address, port, tls);
    Poco::Net::SecureStreamSocket socket(session->socket());
    socket.setPeerHostName(peerHost);
    socket.setLazyHandshake(true);  // the handshake then runs under the watch, like every read
    return session;
}

bool isTlsError(const Poco::Exception& e) { return dynamic_cast<const Poco::Net::SSLException*>(&e) != nullptr; }

const TlsModuleApi kApi{kTlsModuleVersion, &newContext, &openSession, &isTlsError};

}  // namespace

}  // namespace watchdog::common

extern "C" __attribute__((visibility("default"))) const watchdog::common::TlsModuleApi* watchdog_tls_module() {
    return &watchdog::common::kApi;
}
