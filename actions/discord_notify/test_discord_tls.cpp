// HTTPS: the certificate is verified (system store by default, or ca_file), against a local TLS
// webhook with a self-signed certificate made by openssl for the test.
#include "DiscordNotifyAction.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>

#include <doctest/doctest.h>

#include <atomic>

using namespace watchdog;
using namespace watchdog::discord_notify;
using namespace std::chrono_literals;

namespace {

std::atomic<int> posted{0};

class Accept : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        std::string body;
        Poco::StreamCopier::copyToString(req.stream(), body);
        ++posted;
        resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
        resp.setContentLength(0);
        resp.send();
    }
};

class AcceptFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Accept; }
};

// A webhook over TLS on 127.0.0.1 with a fresh self-signed certificate for 127.0.0.1.
struct TlsWebhook {
    test::TempDir dir;
    std::string cert = dir.file("cert.pem");
    std::string key = dir.file("key.pem");
    std::unique_ptr<Poco::Net::HTTPServer> server;
    int port = 0;

    TlsWebhook() {
        const std::string openssl = test::findProgram("openssl");
        REQUIRE_MESSAGE(!openssl.empty(), "openssl is needed to make the test certificate (apt-get install openssl)");
        auto [code, out] =
            test::runCommand({openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                              "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert},
                             30s);
        REQUIRE_MESSAGE(code == 0, out);
        Poco::Net::initializeSSL();
        Poco::Net::Context::Ptr ctx =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, key, cert, "", Poco::Net::Context::VERIFY_NONE);
        Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, ctx);
        port = socket.address().port();
        server = std::make_unique<Poco::Net::HTTPServer>(new AcceptFactory, socket, new Poco::Net::HTTPServerParams);
        server->start();
    }
    ~TlsWebhook() { server->stopAll(true); }

    std::string url() const { return "https://127.0.0.1:" + std::to_string(port) + "/api/webhooks/42/tls-secret-token"; }
};

Outcome send(const std::string& url, const std::string& extra) {
    DiscordNotifyAction action;
    action.configure(testing::optionsFromYaml(
        "webhook_url: " + url + "\nrequest_timeout: 5s\nmax_retry_time: 2s\nretry_backoff: 10ms\n" + extra, "actions.discord"));
    Event e;
    e.type = EventType::Shutdown;
    e.summary = "over TLS";
    return action.execute(e, ActionContext{"discord", "Discord", false, nullptr});
}

}  // namespace

TEST_CASE("an untrusted certificate is refused at once, without retries or the token") {
    TlsWebhook webhook;
    const Outcome o = send(webhook.url(), "");
    CHECK_FALSE(o.ok);
    INFO(o.summary);
    CHECK(o.summary.find("cannot reach Discord securely: ") != std::string::npos);
    CHECK(o.summary.find("certificate verify failed") != std::string::npos);
    CHECK(o.summary.find("tls-secret-token") == std::string::npos);
    CHECK(posted == 0);
}

TEST_CASE("with ca_file trusting the certificate the message is delivered over HTTPS") {
    TlsWebhook webhook;
    posted = 0;
    const Outcome o = send(webhook.url(), "ca_file: " + webhook.cert + "\n");
    INFO(o.summary);
    CHECK(o.ok);
    CHECK(o.summary == "shutdown message delivered");
    CHECK(posted == 1);
}
