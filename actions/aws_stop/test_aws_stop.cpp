// aws_stop against FakeEc2 (a local EC2 endpoint that verifies SigV4 and keeps instance state):
// describe first, stop only a running instance and only the configured one, wait for `stopped`.
// Waits are in milliseconds.
#include "AwsStopAction.h"

#include "FakeEc2.h"
#include "DetailOf.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>

#include <doctest/doctest.h>

#include <atomic>
#include <map>

using watchdog::test::detailOf;
using watchdog::test::FakeEc2;

namespace {

const char* kId = "i-0123456789abcdef0";
const char* kOther = "i-0fedcba9876543210";
const char* kKey = "AKIAWATCHDOGTEST0001";
const char* kSecret = "s3cr3t/watchdog+KEY0123456789abcdefghij";

struct Rig {
    FakeEc2 ec2{"eu-west-2"};
    std::atomic<bool> stopping{false};
    std::unique_ptr<watchdog::aws_stop::AwsStopAction> action;

    explicit Rig(const std::string& secret = kSecret, const std::string& extra = "") {
        ec2.addCredentials(kKey, kSecret);
        ec2.setTransitionDescribes(2);
        const std::string yaml = std::string("instance_id: ") + kId + "\nregion: eu-west-2\nendpoint: " + ec2.url() +
                                 "\ninstance_role: false\npoll_interval: 10ms\nmax_wait: 5s\nretry_backoff: 5ms\nattempts: 3\n"
                                 "access_key_id: " +
                                 kKey + "\nsecret_access_key: " + secret + "\n" + extra;
        action = std::make_unique<watchdog::aws_stop::AwsStopAction>();
        action->setEnvironment([](const std::string&) -> std::optional<std::string> { return std::nullopt; });
        action->configure(watchdog::testing::optionsFromYaml(yaml, "actions.stop_backup"));
    }

    watchdog::Outcome run(bool dryRun = false) {
        watchdog::Event event;
        event.type = watchdog::EventType::Failback;
        event.incident = "failover-1";
        return action->execute(event, {"stop_backup", "Stop backup", dryRun, &stopping});
    }

    std::vector<std::string> actions() const {
        std::vector<std::string> out;
        for (const auto& c : ec2.calls()) out.push_back(c.action);
        return out;
    }
};

}  // namespace

TEST_CASE("a running instance: Describe, Stop, Describe until stopped; only the configured instance is named") {
    Rig rig;
    rig.ec2.addInstance(kId, "running");
    rig.ec2.addInstance(kOther, "running");
    const auto o = rig.run();
    CHECK(o.ok);
    CHECK(o.summary == std::string("stopped ") + kId + " (was running)");
    CHECK(detailOf(o.details, "state") == "stopped");
    CHECK(rig.ec2.state(kId) == "stopped");
    CHECK(rig.ec2.state(kOther) == "running");
    // FakeEc2 shows "stopping" for two describes, then "stopped".
    CHECK(rig.actions() ==
          std::vector<std::string>{"DescribeInstances", "StopInstances", "DescribeInstances", "DescribeInstances", "DescribeInstances"});
    for (const auto& call : rig.ec2.calls()) {
        CHECK(call.params.at("InstanceId.1") == kId);
        CHECK(call.params.count("InstanceId.2") == 0);
        CHECK(call.status == 200);
    }
}

TEST_CASE("idempotent: a stopped instance is left alone, a second run after a stop does nothing") {
    Rig rig;
    rig.ec2.addInstance(kId, "running");
    REQUIRE(rig.run().ok);
    rig.ec2.clearCalls();
    const auto again = rig.run();
    CHECK(again.ok);
    CHECK(again.summary == std::string(kId) + " is already stopped: nothing to do");
    CHECK(rig.actions() == std::vector<std::string>{"DescribeInstances"});
}

TEST_CASE("a stopping instance is waited for; a pending one is stopped once it runs; a terminated one needs nothing") {
    {
        Rig rig;
        rig.ec2.addInstance(kId, "stopping");
        const auto o = rig.run();
        CHECK(o.ok);
        CHECK(rig.ec2.count("StopInstances") == 0);
        CHECK(rig.ec2.state(kId) == "stopped");
    }
    {
        Rig rig;
        rig.ec2.addInstance(kId, "pending");
        const auto o = rig.run();
        CHECK(o.ok);
        CHECK(o.summary == std::string("stopped ") + kId + " (was pending)");
        CHECK(rig.ec2.succeeded("StopInstances") == 1);
        CHECK(rig.ec2.state(kId) == "stopped");
    }
    {
        Rig rig;
        rig.ec2.addInstance(kId, "terminated");
        const auto o = rig.run();
        CHECK(o.ok);
        CHECK(o.summary == std::string(kId) + " is terminated: nothing to stop");
        CHECK(rig.ec2.count("StopInstances") == 0);
    }
}

TEST_CASE("failures are explained: IAM denies, wrong secret, unknown instance; a 500 is retried after a fresh describe") {
    {
        Rig rig;
        rig.ec2.addInstance(kId, "running");
        rig.ec2.deny("StopInstances");
        const auto o = rig.run();
        CHECK_FALSE(o.ok);
        CHECK(o.summary.find(std::string("not allowed to call StopInstances on ") + kId) == 0);
        CHECK(rig.ec2.state(kId) == "running");
    }
    {
        Rig rig("wrong-secret");
        rig.ec2.addInstance(kId, "running");
        const auto o = rig.run();
        CHECK_FALSE(o.ok);
        CHECK(o.summary.find("EC2 rejected the credentials for DescribeInstances (SignatureDoesNotMatch)") == 0);
        CHECK(rig.ec2.count("StopInstances") == 0);
    }
    {
        Rig rig;
        const auto o = rig.run();
        CHECK_FALSE(o.ok);
        CHECK(o.summary.find("does not exist in region eu-west-2") != std::string::npos);
    }
    {
        Rig rig;
        rig.ec2.addInstance(kId, "running");
        rig.ec2.failNext(1, 500, "InternalError", "StopInstances");
        const auto o = rig.run();
        CHECK(o.ok);
        CHECK(rig.actions() == std::vector<std::string>{"DescribeInstances", "StopInstances", "DescribeInstances", "StopInstances",
                                                        "DescribeInstances", "DescribeInstances", "DescribeInstances"});
        CHECK(rig.ec2.succeeded("StopInstances") == 1);
    }
}

TEST_CASE("dry run: EC2's DryRun says whether the stop would be allowed; nothing is stopped") {
    Rig rig;
    rig.ec2.addInstance(kId, "running");
    const auto o = rig.run(true);
    CHECK(o.ok);
    CHECK(o.summary == std::string("would stop ") + kId + " (dry run): it is running and StopInstances would be allowed");
    CHECK(detailOf(o.details, "dry_run") == "allowed");
    CHECK(rig.ec2.state(kId) == "running");
    CHECK(rig.ec2.succeeded("StopInstances") == 0);
}

TEST_CASE("the options are aws_start's: a malformed instance id is refused where it is written") {
    FakeEc2 ec2;
    watchdog::aws_stop::AwsStopAction action;
    try {
        action.configure(watchdog::testing::optionsFromYaml("instance_id: i-xyz\nregion: eu-west-2\n", "actions.stop_backup"));
        FAIL("configure accepted i-xyz");
    } catch (const watchdog::ConfigError& e) {
        CHECK(std::string(e.what()) ==
              "pipeline.yaml:1:14: actions.stop_backup.instance_id: 'i-xyz' is not an EC2 instance id (i- and 8 or 17 "
              "hex digits, e.g. i-0123456789abcdef0)");
    }
}
