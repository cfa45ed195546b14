// The real endpoint is HTTPS with certificate verification. A local TLS front (certificates made
// with the openssl program) relays to FakeEc2: a certificate from a CA the system trusts (here via
// SSL_CERT_FILE, which OpenSSL's default verify paths honour) works; a self-signed one is refused.
#include "AwsStartAction.h"

#include "FakeEc2.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>

namespace {

const char* kId = "i-0123456789abcdef0";
using watchdog::test::TempDir;

void openssl(const std::vector<std::string>& args) {
    const std::string program = watchdog::test::findProgram("openssl");
    REQUIRE_MESSAGE(!program.empty(), "the openssl program (Debian package openssl) is not installed");
    std::vector<std::string> argv{program};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto [code, out] = watchdog::test::runCommand(argv, std::chrono::seconds(60));
    REQUIRE_MESSAGE(code == 0, out);
}

/// A CA, a server certificate for localhost signed by it, and a self-signed one nobody trusts.
struct Certificates {
    TempDir dir;
    Certificates() {
        const std::string d = dir.path() + "/";
        dir.write("san.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "ca.key", "-out", d + "ca.pem", "-days", "2", "-subj",
                 "/CN=watchdog test CA"});
        openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "server.key", "-out", d + "server.csr", "-subj", "/CN=localhost"});
        openssl({"x509", "-req", "-in", d + "server.csr", "-CA", d + "ca.pem", "-CAkey", d + "ca.key", "-CAcreateserial", "-out",
                 d + "server.pem", "-days", "2", "-extfile", d + "san.ext"});
        openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "self.key", "-out", d + "self.pem", "-days", "2", "-subj",
                 "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    }
};

/// HTTPS on 127.0.0.1 relaying every request, headers and body unchanged, to FakeEc2.
class TlsFront {
public:
    TlsFront(const std::string& key, const std::string& cert, int backendPort) : backend_(backendPort) {
        Poco::Net::Context::Ptr ctx =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, key, cert, "", Poco::Net::Context::VERIFY_NONE);
        Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, ctx);
        port_ = socket.address().port();
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(backend_), socket, new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~TlsFront() { server_->stopAll(true); }
    int port() const { return port_; }

private:
    struct Relay : Poco::Net::HTTPRequestHandler {
        explicit Relay(int port) : port(port) {}
        void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
            std::string body, answer;
            Poco::StreamCopier::copyToString(in.stream(), body);
            Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
            Poco::Net::HTTPRequest forward(in.getMethod(), in.getURI(), Poco::Net::HTTPMessage::HTTP_1_1);
            for (const auto& [name, value] : in) forward.set(name, value);
            forward.setContentLength(static_cast<std::streamsize>(body.size()));
            session.sendRequest(forward) << body;
            Poco::Net::HTTPResponse response;
            Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
            out.setStatusAndReason(response.getStatus());
            out.setContentType(response.getContentType());
            out.setContentLength(static_cast<std::streamsize>(answer.size()));
            out.send() << answer;
        }
        int port;
    };
    struct Factory : Poco::Net::HTTPRequestHandlerFactory {
        explicit Factory(int port) : port(port) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Relay(port); }
        int port;
    };
    int backend_;
    int port_ = 0;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

watchdog::Outcome startThrough(const std::string& endpoint) {
    const std::string yaml = std::string("instance_id: ") + kId + "\nregion: eu-west-2\nendpoint: " + endpoint +
                             "\ninstance_role: false\npoll_interval: 10ms\nmax_wait: 5s\nattempts: 1\nrequest_timeout: 5s\n"
                             "access_key_id: AKIATLSTEST000000001\nsecret_access_key: tls-secret\n";
    watchdog::aws_start::AwsStartAction action;
    action.configure(watchdog::testing::optionsFromYaml(yaml, "actions.backup"));
    std::atomic<bool> stopping{false};
    watchdog::Event event;
    event.incident = "tls";
    return action.execute(event, watchdog::ActionContext{"backup", "Backup", false, &stopping});
}

}  // namespace

TEST_CASE("HTTPS: a certificate from a trusted CA works, a self-signed one is refused before anything is sent") {
    Certificates certs;
    // Must be set before the plugin's TLS context loads the default verify paths (first HTTPS call).
    setenv("SSL_CERT_FILE", certs.dir.file("ca.pem").c_str(), 1);
    watchdog::test::FakeEc2 ec2("eu-west-2");
    ec2.addCredentials("AKIATLSTEST000000001", "tls-secret");
    ec2.addInstance(kId, "stopped");

    TlsFront trusted(certs.dir.file("server.key"), certs.dir.file("server.pem"), ec2.port());
    auto o = startThrough("https://localhost:" + std::to_string(trusted.port()));
    CHECK_MESSAGE(o.ok, o.summary);
    CHECK(o.summary == "started i-0123456789abcdef0 (was stopped): running at 203.0.113.7 (private 10.0.0.7)");
    CHECK(ec2.succeeded("StartInstances") == 1);

    ec2.clearCalls();
    ec2.setState(kId, "stopped");
    TlsFront untrusted(certs.dir.file("self.key"), certs.dir.file("self.pem"), ec2.port());
    const std::string url = "https://localhost:" + std::to_string(untrusted.port());
    o = startThrough(url);
    CHECK_FALSE(o.ok);
    CHECK(o.summary.rfind("cannot reach EC2 at " + url + ": ", 0) == 0);
    CHECK(o.summary.find("certificate verify failed") != std::string::npos);
    CHECK(ec2.calls().empty());
}
