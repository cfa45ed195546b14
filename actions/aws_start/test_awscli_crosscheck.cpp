// Cross-check: FakeEc2 accepts requests signed by Debian's real awscli (botocore's own SigV4) and
// rejects them with a wrong secret, and awscli reads its XML answers and errors. Because the plugin's
// signer passes the same verifier (test_aws_start_ec2), this shows the signer agrees with AWS's own.
#include "FakeEc2.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <map>

using watchdog::test::FakeEc2;

namespace {

const char* kId = "i-0123456789abcdef0";

struct Cli {
    FakeEc2 ec2{"eu-west-2"};
    watchdog::test::TempDir home;
    std::string aws = watchdog::test::findProgram("aws");

    Cli() {
        // CI installs awscli (Debian package awscli); a missing program is a failure, not a skip.
        REQUIRE_MESSAGE(!aws.empty(), "the aws program (Debian package awscli) is not installed; apt-get install awscli");
        ec2.addCredentials("AKIACLICROSSCHECK001", "cli/secret+key0123456789");
        ec2.addInstance(kId, "stopped", "203.0.113.7", "10.0.0.7");
    }

    std::pair<int, std::string> run(std::vector<std::string> args, std::map<std::string, std::string> extraEnv = {}) {
        std::map<std::string, std::string> env{{"HOME", home.path()},
                                               {"AWS_CONFIG_FILE", home.file("no-config")},
                                               {"AWS_SHARED_CREDENTIALS_FILE", home.file("no-credentials")},
                                               {"AWS_EC2_METADATA_DISABLED", "true"},
                                               {"AWS_ACCESS_KEY_ID", "AKIACLICROSSCHECK001"},
                                               {"AWS_SECRET_ACCESS_KEY", "cli/secret+key0123456789"},
                                               {"AWS_MAX_ATTEMPTS", "1"},
                                               {"AWS_PAGER", ""}};
        for (auto& [k, v] : extraEnv) env[k] = v;
        std::vector<std::string> argv{aws, "ec2"};
        for (auto& a : args) argv.push_back(a);
        for (const char* a : {"--endpoint-url", "", "--region", "eu-west-2", "--output", "json"}) argv.emplace_back(a);
        argv[argv.size() - 5] = ec2.url();
        return watchdog::test::runCommand(argv, std::chrono::seconds(60), env);
    }
};

}  // namespace

TEST_CASE("awscli's signed DescribeInstances and StartInstances are accepted, and it reads the XML answers") {
    Cli cli;
    auto [code, out] = cli.run({"describe-instances", "--instance-ids", kId});
    CHECK_MESSAGE(code == 0, out);
    CHECK(out.find("\"InstanceId\": \"i-0123456789abcdef0\"") != std::string::npos);
    CHECK(out.find("\"Name\": \"stopped\"") != std::string::npos);
    CHECK(out.find("\"PrivateIpAddress\": \"10.0.0.7\"") != std::string::npos);

    std::tie(code, out) = cli.run({"start-instances", "--instance-ids", kId});
    CHECK_MESSAGE(code == 0, out);
    CHECK(out.find("\"StartingInstances\"") != std::string::npos);
    CHECK(out.find("\"CurrentState\": {\n                \"Code\": 0,\n                \"Name\": \"pending\"") != std::string::npos);
    CHECK(cli.ec2.succeeded("StartInstances") == 1);
    CHECK(cli.ec2.state(kId) == "pending");
    const auto calls = cli.ec2.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].params.at("InstanceId.1") == kId);
    CHECK(calls[1].params.at("Version") == "2016-11-15");
    CHECK(calls[1].accessKeyId == "AKIACLICROSSCHECK001");
}

TEST_CASE("awscli with a wrong secret is refused with SignatureDoesNotMatch, and it shows EC2's error") {
    Cli cli;
    const auto [code, out] = cli.run({"start-instances", "--instance-ids", kId}, {{"AWS_SECRET_ACCESS_KEY", "not-the-secret"}});
    CHECK(code != 0);
    CHECK(out.find("An error occurred (SignatureDoesNotMatch) when calling the StartInstances operation: The request signature "
                   "we calculated does not match") != std::string::npos);
    CHECK(cli.ec2.calls().at(0).status == 403);
    CHECK(cli.ec2.state(kId) == "stopped");
}

TEST_CASE("awscli with session credentials: the token is required and signed") {
    Cli cli;
    cli.ec2.addCredentials("ASIACLICROSSCHECK002", "temp/secret", "FwoGZXIvYXdzEXAMPLETOKEN");
    const std::map<std::string, std::string> temp{{"AWS_ACCESS_KEY_ID", "ASIACLICROSSCHECK002"}, {"AWS_SECRET_ACCESS_KEY", "temp/secret"}};
    auto withToken = temp;
    withToken["AWS_SESSION_TOKEN"] = "FwoGZXIvYXdzEXAMPLETOKEN";
    auto [code, out] = cli.run({"describe-instances", "--instance-ids", kId}, withToken);
    CHECK_MESSAGE(code == 0, out);
    std::tie(code, out) = cli.run({"describe-instances", "--instance-ids", kId}, temp);
    CHECK(code != 0);
    CHECK(out.find("(AuthFailure)") != std::string::npos);
}

TEST_CASE("awscli understands the fake's DryRun, UnauthorizedOperation and NotFound errors, and retries its throttling") {
    Cli cli;
    auto [code, out] = cli.run({"start-instances", "--instance-ids", kId, "--dry-run"});
    CHECK(code != 0);
    CHECK(out.find("An error occurred (DryRunOperation) when calling the StartInstances operation: Request would have succeeded, "
                   "but DryRun flag is set.") != std::string::npos);

    std::tie(code, out) = cli.run({"describe-instances", "--instance-ids", "i-0fffffffffffffff0"});
    CHECK(out.find("(InvalidInstanceID.NotFound) when calling the DescribeInstances operation: The instance ID "
                   "'i-0fffffffffffffff0' does not exist") != std::string::npos);

    cli.ec2.deny("StartInstances");
    std::tie(code, out) = cli.run({"start-instances", "--instance-ids", kId});
    CHECK(out.find("(UnauthorizedOperation) when calling the StartInstances operation: You are not authorized") != std::string::npos);

    cli.ec2.failNext(1, 503, "RequestLimitExceeded", "DescribeInstances");
    std::tie(code, out) =
        cli.run({"describe-instances", "--instance-ids", kId}, {{"AWS_MAX_ATTEMPTS", "3"}, {"AWS_RETRY_MODE", "standard"}});
    CHECK_MESSAGE(code == 0, out);
    const auto calls = cli.ec2.calls();
    CHECK(calls.at(calls.size() - 2).errorCode == "RequestLimitExceeded");
    CHECK(calls.back().status == 200);
}
