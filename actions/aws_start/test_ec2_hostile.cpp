// Ec2Client against a local endpoint that answers as a hostile or broken one might: oversized and
// deeply nested bodies are errors with a reason, never a crash or an unbounded buffer; an answer
// trickled a byte at a time ends at the request timeout.
#include "Ec2Client.h"
#include "Ec2Xml.h"

#include "TestSupport.h"
#include "TrickleServer.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <doctest/doctest.h>

#include <atomic>
#include <string>

using namespace watchdog::aws;
using watchdog::test::LocalHttpServer;
using namespace std::chrono_literals;

namespace {

std::string deeplyNested(const std::string& root, int levels) {
    std::string xml = "<" + root + ">";
    for (int i = 1; i < levels; ++i) xml += "<item>";
    for (int i = 1; i < levels; ++i) xml += "</item>";
    return xml + "</" + root + ">";
}

Ec2Reply describeOnce(const LocalHttpServer& server) {
    Ec2Client client(Ec2Settings{server.url(), "eu-west-2", 5000ms, 1, 1ms});
    const AwsCredentials credentials{"AKIAWATCHDOGTEST0001", "secret", "", "options", std::nullopt};
    return client.send(client.prepare("DescribeInstances", {{"InstanceId.1", "i-0123456789abcdef0"}}, credentials, "20250101T000000Z"));
}

}  // namespace

TEST_CASE("an EC2 answer over 1 MiB is a network error and is not kept") {
    LocalHttpServer server([](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        request.stream().ignore(1 << 20);
        response.setChunkedTransferEncoding(true);
        std::ostream& out = response.send();
        out << "<DescribeInstancesResponse>";
        const std::string filler(64 * 1024, ' ');
        for (int i = 0; i < 64 && out; ++i) out << filler;
    });
    const Ec2Reply reply = describeOnce(server);
    CHECK(reply.describe() == "network error: the answer is larger than 1024K");
    CHECK(reply.body.empty());
}

TEST_CASE("an EC2 answer under 1 MiB nested 75k levels deep gives the reason, on success and on error status") {
    std::atomic<int> status{200};
    LocalHttpServer server([&](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        request.stream().ignore(1 << 20);
        response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status.load()));
        response.send() << deeplyNested(status == 200 ? "DescribeInstancesResponse" : "Response", 75000);
    });
    const Ec2Reply ok = describeOnce(server);
    REQUIRE(ok.describe() == "OK");
    CHECK_THROWS_WITH_AS(parseDescribeInstances(ok.body), "unreadable EC2 reply (XML nested deeper than 64 levels)", std::runtime_error);

    status = 400;
    CHECK(describeOnce(server).describe() == "HTTP 400 without an EC2 error document");
}

TEST_CASE("an endpoint trickling its answer one byte every 200 ms is a network error at request_timeout, on every attempt") {
    const std::string answer = watchdog::test::TrickleServer::okAnswer(
        "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><reservationSet/></DescribeInstancesResponse>");
    const AwsCredentials credentials{"AKIAWATCHDOGTEST0001", "secret", "", "options", std::nullopt};
    struct Case {
        const char* trickled;
        std::size_t atOnce;
    };
    for (const Case& c : {Case{"the status line", 0}, Case{"the headers", watchdog::test::TrickleServer::statusLineLength(answer)},
                          Case{"the body", watchdog::test::TrickleServer::headLength(answer) + 5}}) {
        CAPTURE(c.trickled);
        watchdog::test::TrickleServer server({answer, c.atOnce, 200ms, 0});
        Ec2Client client(Ec2Settings{server.url(), "eu-west-2", 500ms, 2, 1ms});
        const Ec2Reply reply = client.call("DescribeInstances", {{"InstanceId.1", "i-0123456789abcdef0"}}, credentials, {});
        CHECK(reply.describe() == "network error: no answer within 500 ms");
        CHECK(reply.attempts == 2);  // retried, each attempt with its own deadline
        CHECK(server.connections() == 2);
        CHECK(server.bytesSent() < 2 * answer.size());
    }
}
