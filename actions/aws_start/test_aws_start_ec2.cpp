// aws_start against FakeEc2 (a local EC2 endpoint that verifies SigV4 and keeps instance state) and
// FakeImds (IMDSv2). Waits are in milliseconds; every assertion is what a user would see.
#include "AwsStartAction.h"

#include "FakeEc2.h"
#include "DetailOf.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>

#include <Poco/AutoPtr.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamChannel.h>
#include <Poco/StreamCopier.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <sstream>
#include <thread>

using watchdog::test::detailOf;
using watchdog::test::FakeEc2;
using watchdog::test::FakeImds;

namespace {

const char* kId = "i-0123456789abcdef0";
const char* kKey = "AKIAWATCHDOGTEST0001";
const char* kSecret = "s3cr3t/watchdog+KEY0123456789abcdefghij";

struct Rig {
    FakeEc2 ec2{"eu-west-2"};
    std::atomic<bool> stopping{false};
    std::map<std::string, std::string> env;
    std::unique_ptr<watchdog::aws_start::AwsStartAction> action;

    Rig() {
        ec2.addCredentials(kKey, kSecret);
        ec2.setTransitionDescribes(2);
    }

    /// Configures the action; `extra` holds "key: value" lines that add to or replace the defaults.
    void configure(const std::string& extra = std::string("access_key_id: ") + kKey + "\nsecret_access_key: " + kSecret + "\n") {
        std::vector<std::pair<std::string, std::string>> lines{
            {"instance_id", kId}, {"region", "eu-west-2"},  {"endpoint", ec2.url()}, {"instance_role", "false"}, {"poll_interval", "10ms"},
            {"max_wait", "5s"},   {"retry_backoff", "5ms"}, {"attempts", "3"},       {"request_timeout", "2s"}};
        std::istringstream in(extra);
        for (std::string line; std::getline(in, line);) {
            const auto colon = line.find(": ");
            if (colon == std::string::npos) continue;
            const std::string key = line.substr(0, colon), value = line.substr(colon + 2);
            auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& kv) { return kv.first == key; });
            if (it != lines.end())
                it->second = value;
            else
                lines.emplace_back(key, value);
        }
        std::string yaml;
        for (const auto& [k, v] : lines) yaml += k + ": " + v + "\n";
        action = std::make_unique<watchdog::aws_start::AwsStartAction>();
        auto vars = env;
        action->setEnvironment([vars](const std::string& n) -> std::optional<std::string> {
            auto it = vars.find(n);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        });
        action->configure(watchdog::testing::optionsFromYaml(yaml, "actions.backup"));
    }

    watchdog::Outcome run(bool dryRun = false, const std::string& incident = "inc-1") {
        watchdog::Event event;
        event.type = watchdog::EventType::Failover;
        event.incident = incident;
        watchdog::ActionContext context{"backup", "Backup", dryRun, &stopping};
        return action->execute(event, context);
    }
};

}  // namespace

TEST_CASE("a stopped instance is started, polled until running, and its addresses reported") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped", "203.0.113.7", "10.0.0.7");
    rig.configure();
    const auto o = rig.run();
    CHECK(o.ok);
    CHECK(o.summary == "started i-0123456789abcdef0 (was stopped): running at 203.0.113.7 (private 10.0.0.7)");
    CHECK(detailOf(o.details, "instance_id") == kId);
    CHECK(detailOf(o.details, "state") == "running");
    CHECK(detailOf(o.details, "public_ip") == "203.0.113.7");
    CHECK(detailOf(o.details, "private_ip") == "10.0.0.7");
    CHECK(rig.ec2.state(kId) == "running");
    CHECK(rig.ec2.succeeded("StartInstances") == 1);
    CHECK(rig.ec2.count("StartInstances") == 1);
    const auto calls = rig.ec2.calls();
    REQUIRE(calls.size() >= 3);
    CHECK(calls[0].action == "DescribeInstances");  // describe first, always
    CHECK(calls[0].params.at("InstanceId.1") == kId);
    CHECK(calls[0].params.at("Version") == "2016-11-15");
    CHECK(calls[1].action == "StartInstances");
    CHECK(calls.back().action == "DescribeInstances");
}

TEST_CASE("an instance already running or pending: nothing to do, no StartInstances") {
    Rig rig;
    rig.ec2.addInstance(kId, "running", "198.51.100.4", "10.0.0.9");
    rig.configure();
    auto o = rig.run();
    CHECK(o.ok);
    CHECK(o.summary == "i-0123456789abcdef0 is already running at 198.51.100.4 (private 10.0.0.9): nothing to do");
    rig.ec2.setState(kId, "pending");
    o = rig.run(false, "inc-2");
    CHECK(o.summary == "i-0123456789abcdef0 is already pending (private 10.0.0.9): nothing to do");
    CHECK(rig.ec2.count("StartInstances") == 0);
}

TEST_CASE("a stopping instance is waited for, then started once") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopping");
    rig.configure();
    const auto o = rig.run();
    CHECK(o.ok);
    CHECK(o.summary == "started i-0123456789abcdef0 (was stopping): running at 203.0.113.7 (private 10.0.0.7)");
    CHECK(rig.ec2.count("StartInstances") == 1);
    CHECK(rig.ec2.state(kId) == "running");
}

TEST_CASE("terminated, unknown and malformed instances are clear failures without a start") {
    Rig rig;
    rig.ec2.addInstance(kId, "terminated");
    rig.configure();
    auto o = rig.run();
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "i-0123456789abcdef0 is terminated and cannot be started");

    Rig other;  // the id exists nowhere in this region
    other.configure();
    o = other.run();
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "i-0123456789abcdef0 does not exist in region eu-west-2 (InvalidInstanceID.NotFound; check instance_id and region)");
    CHECK(detailOf(o.details, "error") == "InvalidInstanceID.NotFound");
    CHECK(other.ec2.count("DescribeInstances") == 1);  // not retried
    CHECK(rig.ec2.count("StartInstances") + other.ec2.count("StartInstances") == 0);
}

TEST_CASE("throttling is retried with backoff and the instance still starts exactly once") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    rig.ec2.failNext(2, 503, "RequestLimitExceeded");
    rig.configure();
    const auto o = rig.run();
    CHECK(o.ok);
    CHECK(o.summary.rfind("started i-0123456789abcdef0 (was stopped): running", 0) == 0);
    const auto calls = rig.ec2.calls();
    CHECK(calls[0].errorCode == "RequestLimitExceeded");
    CHECK(calls[0].status == 503);
    CHECK(calls[1].errorCode == "RequestLimitExceeded");
    CHECK(rig.ec2.succeeded("StartInstances") == 1);
}

TEST_CASE("throttling that never ends gives up after the configured attempts") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    rig.ec2.failNext(100, 503, "RequestLimitExceeded");
    rig.configure();
    const auto o = rig.run();
    CHECK_FALSE(o.ok);
    CHECK(o.summary ==
          "EC2 DescribeInstances for i-0123456789abcdef0 kept failing after 3 attempts: RequestLimitExceeded: "
          "Request limit exceeded. (HTTP 503)");
    CHECK(rig.ec2.count("DescribeInstances") == 3);
    CHECK(rig.ec2.count("StartInstances") == 0);
}

TEST_CASE("a 500 on StartInstances: describe again before retrying, so it starts once") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    rig.ec2.failNext(1, 500, "InternalError", "StartInstances");
    rig.configure();
    const auto o = rig.run();
    CHECK(o.ok);
    CHECK(rig.ec2.count("StartInstances") == 2);
    CHECK(rig.ec2.succeeded("StartInstances") == 1);
    const auto calls = rig.ec2.calls();
    CHECK(calls[1].errorCode == "InternalError");
    CHECK(calls[2].action == "DescribeInstances");
    CHECK(calls[3].action == "StartInstances");
}

TEST_CASE("UnauthorizedOperation is reported and not retried") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    rig.ec2.deny("StartInstances");
    rig.configure();
    const auto o = rig.run();
    CHECK_FALSE(o.ok);
    CHECK(o.summary.rfind("not allowed to call StartInstances on i-0123456789abcdef0: You are not authorized to perform this operation.",
                          0) == 0);
    CHECK(detailOf(o.details, "error") == "UnauthorizedOperation");
    CHECK(rig.ec2.count("StartInstances") == 1);
    CHECK(rig.ec2.state(kId) == "stopped");
}

TEST_CASE("a wrong secret, an unknown key and a skewed clock are clear, unretried failures") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    rig.configure(std::string("access_key_id: ") + kKey + "\nsecret_access_key: wrong-secret\n");
    auto o = rig.run();
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "EC2 rejected the credentials for DescribeInstances (SignatureDoesNotMatch): check the access key id and secret");
    CHECK(rig.ec2.calls().at(0).status == 403);

    rig.configure("access_key_id: AKIANOBODYKNOWS00000\nsecret_access_key: x\n");
    o = rig.run();
    CHECK(o.summary == "EC2 rejected the credentials for DescribeInstances (AuthFailure): check the access key id and secret");

    rig.ec2.setClockOffset(std::chrono::minutes(20));
    rig.configure();
    o = rig.run();
    CHECK(o.summary ==
          "EC2 rejected DescribeInstances as expired (RequestExpired): the credentials have expired or the clock is "
          "more than 15 minutes off");
    CHECK(rig.ec2.count("DescribeInstances") == 3);
    CHECK(rig.ec2.count("StartInstances") == 0);
}

TEST_CASE("dry run with credentials: EC2's DryRun says allowed, nothing starts") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    rig.configure();
    const auto o = rig.run(true);
    CHECK(o.ok);
    CHECK(o.summary == "would start i-0123456789abcdef0 (dry run): it is stopped and StartInstances would be allowed");
    CHECK(detailOf(o.details, "dry_run") == "allowed");
    const auto calls = rig.ec2.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].action == "StartInstances");
    CHECK(calls[1].params.at("DryRun") == "true");
    CHECK(calls[1].errorCode == "DryRunOperation");
    CHECK(calls[1].status == 412);
    CHECK(rig.ec2.state(kId) == "stopped");
    CHECK(rig.ec2.succeeded("StartInstances") == 0);
}

TEST_CASE("dry run with credentials: EC2's DryRun says denied") {
    Rig rig;
    rig.ec2.addInstance(kId, "running");
    rig.ec2.deny("StartInstances");
    rig.configure();
    const auto o = rig.run(true);
    CHECK_FALSE(o.ok);
    CHECK(o.summary.rfind("would not start i-0123456789abcdef0 (dry run), but StartInstances would be denied (it is already "
                          "running): You are not authorized",
                          0) == 0);
    CHECK(detailOf(o.details, "dry_run") == "denied");
    CHECK(rig.ec2.succeeded("StartInstances") == 0);
}

TEST_CASE("dry run without any credentials prints the exact signed request, and it is the request EC2 would get") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    rig.configure("");
    std::ostringstream log;
    auto& logger = Poco::Logger::get("watchdog.action.aws_start");
    logger.setChannel(new Poco::StreamChannel(log));
    logger.setLevel(Poco::Message::PRIO_INFORMATION);
    const auto o = rig.run(true);
    logger.setChannel(nullptr);
    CHECK(o.ok);
    CHECK(o.summary == "would start i-0123456789abcdef0 (dry run): no AWS credentials to ask EC2 with; would send StartInstances to " +
                           rig.ec2.url() + "/");
    const std::string request = detailOf(o.details, "request");
    CHECK(request.rfind("POST " + rig.ec2.url() + "/\n", 0) == 0);
    CHECK(request.find("\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/") != std::string::npos);
    CHECK(request.find("/eu-west-2/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=") != std::string::npos);
    CHECK(request.substr(request.rfind('\n') + 1) == "Action=StartInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0");
    CHECK(request.find("wJalrXUtnFEMI") == std::string::npos);  // the (example) secret is never shown
    CHECK(log.str().find(request) != std::string::npos);        // and it is printed in the log
    CHECK(rig.ec2.calls().empty());

    // Replaying the printed text byte for byte is accepted by an endpoint that knows that key pair.
    rig.ec2.addCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    std::istringstream lines(request);
    std::string line;
    std::getline(lines, line);
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(rig.ec2.port()));
    Poco::Net::HTTPRequest http("POST", "/", Poco::Net::HTTPMessage::HTTP_1_1);
    while (std::getline(lines, line) && !line.empty()) http.set(line.substr(0, line.find(':')), line.substr(line.find(':') + 2));
    std::string body;
    std::getline(lines, body);
    http.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(http) << body;
    Poco::Net::HTTPResponse response;
    std::string answer;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
    CHECK(response.getStatus() == 200);
    CHECK(rig.ec2.state(kId) == "pending");
}

TEST_CASE("without credentials and without dry run: a clear failure listing what was tried") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    watchdog::test::TempDir home;
    rig.env = {{"HOME", home.path()}};
    rig.configure("");
    const auto o = rig.run();
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "no AWS credentials found for i-0123456789abcdef0 (tried options: not set; environment: not set; " + home.path() +
                           "/.aws/credentials: no such file; " + home.path() + "/.aws/config: no such file; instance role: disabled)");
    CHECK(rig.ec2.calls().empty());
}

TEST_CASE("instance role credentials through IMDSv2 sign requests with their session token") {
    Rig rig;
    FakeImds imds("watchdog-backup", "ASIAROLEKEY000000001", "role-secret-value", "role-session-token-value");
    rig.ec2.addCredentials("ASIAROLEKEY000000001", "role-secret-value", "role-session-token-value");
    rig.ec2.addInstance(kId, "stopped");
    watchdog::test::TempDir home;
    rig.env = {{"HOME", home.path()}};
    rig.configure("instance_role: true\nimds_endpoint: " + imds.url() + "\n");
    const auto o = rig.run();
    CHECK(o.ok);
    CHECK(o.summary.rfind("started i-0123456789abcdef0 (was stopped): running", 0) == 0);
    CHECK(imds.tokenRequests() == 1);
    CHECK(imds.refused() == 0);
    for (const auto& call : rig.ec2.calls()) CHECK(call.accessKeyId == "ASIAROLEKEY000000001");
}

TEST_CASE("session credentials without their token are refused by EC2") {
    Rig rig;
    rig.ec2.addCredentials("ASIATEMPKEY000000001", "temp-secret", "the-token");
    rig.ec2.addInstance(kId, "stopped");
    rig.configure("access_key_id: ASIATEMPKEY000000001\nsecret_access_key: temp-secret\nsession_token: the-token\n");
    CHECK(rig.run().ok);
    rig.configure("access_key_id: ASIATEMPKEY000000001\nsecret_access_key: temp-secret\n");
    const auto o = rig.run(false, "inc-2");
    CHECK(o.summary == "EC2 rejected the credentials for DescribeInstances (AuthFailure): check the access key id and secret");
}

TEST_CASE("one start per incident: a second run in the same incident does not call EC2") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    rig.configure();
    CHECK(rig.run().ok);
    rig.ec2.setState(kId, "stopped");  // someone stopped it again meanwhile
    const auto o = rig.run();
    CHECK(o.ok);
    CHECK(o.summary == "i-0123456789abcdef0 was already started in incident inc-1; not starting it again");
    CHECK(rig.ec2.count("StartInstances") == 1);
    CHECK(rig.run(false, "inc-2").ok);  // a new incident may start it
    CHECK(rig.ec2.count("StartInstances") == 2);
}

TEST_CASE("polling is bounded by max_wait and stops when the daemon stops") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped");
    rig.ec2.setTransitionDescribes(1000000);
    rig.configure(std::string("access_key_id: ") + kKey + "\nsecret_access_key: " + kSecret + "\nmax_wait: 200ms\n");
    auto o = rig.run();
    CHECK_FALSE(o.ok);
    CHECK(o.summary == "started i-0123456789abcdef0 (was stopped) but i-0123456789abcdef0 was still pending after 200 ms (max_wait)");

    rig.ec2.setState(kId, "stopped");
    rig.configure(std::string("access_key_id: ") + kKey + "\nsecret_access_key: " + kSecret + "\nmax_wait: 1h\n");
    std::thread stopper([&] {
        watchdog::test::waitUntil([&] { return rig.ec2.count("DescribeInstances") >= 8; }, std::chrono::seconds(20));
        rig.stopping = true;
    });
    o = rig.run(false, "inc-2");
    stopper.join();
    CHECK(o.ok);
    CHECK(o.summary == "started i-0123456789abcdef0 (was stopped); stopped waiting because the watchdog is stopping");
}

TEST_CASE("EC2 unreachable: retried, then a clear failure") {
    Rig rig;
    const int port = watchdog::test::freeLoopbackPort();
    const std::string yaml = std::string("instance_id: ") + kId +
                             "\nregion: eu-west-2\nendpoint: http://127.0.0.1:" + std::to_string(port) +
                             "\ninstance_role: false\nretry_backoff: 5ms\nattempts: 2\nrequest_timeout: 500ms\n"
                             "access_key_id: AKIAX\nsecret_access_key: y\n";
    watchdog::aws_start::AwsStartAction action;
    action.configure(watchdog::testing::optionsFromYaml(yaml, "actions.backup"));
    std::atomic<bool> stopping{false};
    const auto o = action.execute(watchdog::Event{}, watchdog::ActionContext{"backup", "Backup", false, &stopping});
    CHECK_FALSE(o.ok);
    CHECK(o.summary.rfind("cannot reach EC2 at http://127.0.0.1:" + std::to_string(port) + " after 2 attempts: ", 0) == 0);
}

TEST_CASE("neither the secret key nor the session token ever reaches the log") {
    Rig rig;
    rig.ec2.addCredentials("ASIATEMPKEY000000002", "never-log-this-secret", "never-log-this-token");
    rig.ec2.addInstance(kId, "stopped");
    rig.ec2.failNext(1, 503, "RequestLimitExceeded");
    std::ostringstream log;
    auto& logger = Poco::Logger::get("watchdog.action.aws_start");
    logger.setChannel(new Poco::StreamChannel(log));
    logger.setLevel(Poco::Message::PRIO_TRACE);
    rig.configure("access_key_id: ASIATEMPKEY000000002\nsecret_access_key: never-log-this-secret\nsession_token: never-log-this-token\n");
    const auto o = rig.run();
    rig.configure("access_key_id: ASIATEMPKEY000000002\nsecret_access_key: never-log-this-secret\n");
    const auto refused = rig.run(false, "inc-2");
    logger.setChannel(nullptr);
    CHECK(o.ok);
    CHECK_FALSE(refused.ok);
    CHECK(log.str().find("RequestLimitExceeded") != std::string::npos);  // the log did capture this run
    CHECK(log.str().find("never-log-this") == std::string::npos);
    CHECK(o.summary.find("never-log-this") == std::string::npos);
    CHECK(refused.summary.find("never-log-this") == std::string::npos);
}

TEST_CASE("a stopped instance has no public address: the outcome leaves it out rather than showing an empty one") {
    Rig rig;
    rig.ec2.addInstance(kId, "stopped", "203.0.113.7", "10.0.0.7");
    rig.ec2.deny("StartInstances");
    rig.configure();
    const auto o = rig.run(true);
    CHECK(detailOf(o.details, "state") == "stopped");
    CHECK(detailOf(o.details, "public_ip") == "<none>");
    CHECK(detailOf(o.details, "private_ip") == "10.0.0.7");
}
