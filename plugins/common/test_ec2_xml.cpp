// Reading EC2's XML: success shapes from the API reference and error documents from errors-overview.
#include "Ec2Xml.h"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace watchdog::aws;

TEST_CASE("an EC2 error document gives its code, message and RequestID") {
    const auto e = parseEc2Error(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code>"
        "<Message>The instance ID 'i-1a2b3c4d' does not exist</Message></Error></Errors>"
        "<RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>");
    REQUIRE(e);
    CHECK(e->code == "InvalidInstanceID.NotFound");
    CHECK(e->message == "The instance ID 'i-1a2b3c4d' does not exist");
    CHECK(e->requestId == "ea966190-f9aa-478e-9ede-example");
}

TEST_CASE("UnauthorizedOperation, DryRunOperation and RequestLimitExceeded parse the same way") {
    for (const char* code : {"UnauthorizedOperation", "DryRunOperation", "RequestLimitExceeded", "IncorrectInstanceState"}) {
        const auto e = parseEc2Error(std::string("<Response><Errors><Error><Code>") + code +
                                     "</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>");
        REQUIRE(e);
        CHECK(e->code == code);
    }
}

TEST_CASE("bodies that are not EC2 errors are not mistaken for one") {
    CHECK_FALSE(parseEc2Error(""));
    CHECK_FALSE(parseEc2Error("<html><body>502 Bad Gateway</body></html>"));
    CHECK_FALSE(parseEc2Error("<Response><Errors/></Response>"));
    CHECK_FALSE(parseEc2Error("not xml at all <"));
}

TEST_CASE("DescribeInstances: state, code low byte, public and private address, any element order") {
    const auto list = parseDescribeInstances(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>x</requestId>"
        "<reservationSet><item><reservationId>r-1</reservationId><groupSet/><instancesSet>"
        "<item><ipAddress>203.0.113.7</ipAddress><instanceId>i-1234567890abcdef0</instanceId>"
        "<instanceState><code>272</code><name>running</name></instanceState>"
        "<privateIpAddress>10.0.0.7</privateIpAddress><tagSet><item><key>Name</key><value>b</value></item></tagSet></item>"
        "</instancesSet></item>"
        "<item><reservationId>r-2</reservationId><instancesSet><item><instanceId>i-0abcdef1</instanceId>"
        "<instanceState><name>stopped</name><code>80</code></instanceState></item></instancesSet></item>"
        "</reservationSet></DescribeInstancesResponse>");
    REQUIRE(list.size() == 2);
    CHECK(list[0].instanceId == "i-1234567890abcdef0");
    CHECK(list[0].state == "running");
    CHECK(list[0].stateCode == 16);
    CHECK(list[0].publicIp == "203.0.113.7");
    CHECK(list[0].privateIp == "10.0.0.7");
    CHECK(list[1].state == "stopped");
    CHECK(list[1].publicIp.empty());
}

TEST_CASE("StartInstances: currentState and previousState (not instanceState)") {
    const auto changes = parseStartInstances(
        "<StartInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
        "<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><instancesSet><item>"
        "<instanceId>i-1234567890abcdef0</instanceId><currentState><code>0</code><name>pending</name></currentState>"
        "<previousState><code>80</code><name>stopped</name></previousState></item></instancesSet></StartInstancesResponse>");
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].currentState == "pending");
    CHECK(changes[0].previousState == "stopped");
}

TEST_CASE("a malformed or unexpected success body is a clear error, not a crash") {
    CHECK_THROWS_WITH_AS(parseDescribeInstances("<html>"), doctest::Contains("unreadable EC2 reply"), std::runtime_error);
    CHECK_THROWS_WITH_AS(parseDescribeInstances("<StartInstancesResponse/>"), doctest::Contains("expected <DescribeInstancesResponse>"),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parseDescribeInstances("<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
                                                "<instanceId>i-12345678</instanceId></item></instancesSet></item>"
                                                "</reservationSet></DescribeInstancesResponse>"),
                         doctest::Contains("without instanceId or instanceState"), std::runtime_error);
}

namespace {

// <DescribeInstancesResponse><item><item>...</item></item></DescribeInstancesResponse>, `levels` deep in all.
std::string nested(const std::string& root, int levels) {
    std::string xml = "<" + root + " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">";
    for (int i = 1; i < levels; ++i) xml += "<item>";
    for (int i = 1; i < levels; ++i) xml += "</item>";
    return xml + "</" + root + ">";
}

}  // namespace

TEST_CASE("a reply nested 200k levels deep is refused with the reason instead of crashing") {
    const std::string deep = nested("DescribeInstancesResponse", 200000);
    CHECK(deep.size() > 2000000);
    CHECK_THROWS_WITH_AS(parseDescribeInstances(deep), "unreadable EC2 reply (XML nested deeper than 64 levels)", std::runtime_error);
    CHECK_THROWS_WITH_AS(parseStartInstances(nested("StartInstancesResponse", 200000)),
                         "unreadable EC2 reply (XML nested deeper than 64 levels)", std::runtime_error);
    CHECK_FALSE(parseEc2Error(nested("Response", 200000)));
    // One level past the limit is refused; 64 levels are read (and hold no instance).
    CHECK_THROWS_AS(parseDescribeInstances(nested("DescribeInstancesResponse", 65)), std::runtime_error);
    CHECK(parseDescribeInstances(nested("DescribeInstancesResponse", 64)).empty());
}
