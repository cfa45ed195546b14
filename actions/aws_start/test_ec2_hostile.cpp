// Ec2Client against a local endpoint that answers as a hostile or broken one might: oversized and
// deeply nested bodies are errors with a reason, never a crash or an unbounded buffer.
#include "Ec2Client.h"
#include "Ec2Xml.h"

#include "TestSupport.h"

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
    return client.send(client.prepare("DescribeInstances", {{"InstanceId.1", "i-0123456789abcdef0"}}, credentials,
                                      "20250101T000000Z"));
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
    CHECK_THROWS_WITH_AS(parseDescribeInstances(ok.body), "unreadable EC2 reply (XML nested deeper than 64 levels)",
                         std::runtime_error);

    status = 400;
    CHECK(describeOnce(server).describe() == "HTTP 400 without an EC2 error document");
}
