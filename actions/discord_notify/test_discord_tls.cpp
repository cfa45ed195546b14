// HTTPS: the certificate is verified (system store by default, or ca_file), against a local TLS
// webhook with a self-signed certificate made by openssl for the test.
#include "DiscordNotifyAction.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>

#include <Poco/StreamCopier.h>

#include <doctest/doctest.h>

#include <atomic>

using namespace watchdog;
using namespace watchdog::discord_notify;
using namespace std::chrono_literals;

namespace {

std::atomic<int> posted{0};

/// A webhook over TLS on 127.0.0.1 with a fresh self-signed certificate for 127.0.0.1.
struct TlsWebhook {
    test::LocalHttpServer server{[](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
                                     std::string body;
                                     Poco::StreamCopier::copyToString(req.stream(), body);
                                     ++posted;
                                     resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
                                     resp.setContentLength(0);
                                     resp.send();
                                 },
                                 test::LocalHttpServer::SelfSignedTls{}};
    std::string cert = server.certificateFile();

    std::string url() const { return server.url() + "/api/webhooks/42/tls-secret-token"; }
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
