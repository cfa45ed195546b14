// The closed-loop keys of a rule (limit, verify, failback, flapping) and of a check (flap): what they
// read into, and each bad value as one FILE:LINE:COL line.
#include "config/Pipeline.h"
#include "PipelineErrors.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

const RuleSpec& rule(const Pipeline& p, const std::string& id) {
    for (const auto& r : p.rules)
        if (r.id == id) return r;
    FAIL("no rule " << id);
    throw std::logic_error("unreachable");
}

const std::string kChecks =
    "checks:\n"
    "  encoder: { plugin: x, interval: 10s }\n"
    "  segments: { plugin: x }\n"
    "  backup_stream: { plugin: x }\n"
    "actions:\n"
    "  discord: { plugin: discord_notify }\n"
    "  backup: { plugin: aws_start, instance_id: i-0123456789abcdef0 }\n";

}  // namespace

TEST_CASE("without the new keys a rule has no limit, like the seed") {
    TempDir dir;
    const Pipeline p = loadPipeline(dir.write("p.yaml", kChecks + "rules:\n  failover: { when: \"2 of *\", then: backup }\n"));
    CHECK(rule(p, "failover").limitCount == 0);
}

TEST_CASE("limit: count and per are read") {
    TempDir dir;
    const Pipeline p = loadPipeline(dir.write("p.yaml", kChecks + "rules:\n"
                                                                  "  failover:\n"
                                                                  "    when: 2 of *\n"
                                                                  "    then: backup\n"
                                                                  "    limit: { count: 2, per: 24h }\n"));
    CHECK(rule(p, "failover").limitCount == 2);
    CHECK(rule(p, "failover").limitPer == 24h);
}

TEST_CASE("limit: a count of 0, a missing or zero window and a limit on a rule without a condition are refused") {
    TempDir dir;
    const std::string path = dir.write("p.yaml", kChecks +
                                                     "rules:\n"
                                                     "  failover:\n"
                                                     "    when: 2 of *\n"
                                                     "    limit: { count: 0, per: 0s }\n"
                                                     "  online: { on: startup, then: discord, limit: { count: 1, per: 1h } }\n");
    const std::vector<std::string> expected = {
        path + ":11:21: rules.failover.limit.count: must be at least 1 (leave limit: out for no limit)",
        path + ":11:29: rules.failover.limit.per: must be more than 0",
        path + ":12:41: rules.online: unknown option 'limit'",
    };
    CHECK(joinedLines(pipelineErrors(path)) == joinedLines(expected));
}

TEST_CASE("flap: a core option of every check; `flapping: ignore` on a rule") {
    TempDir dir;
    const Pipeline p = loadPipeline(dir.write("p.yaml",
                                              "checks:\n"
                                              "  encoder: { plugin: x, interval: 10s, flap: { changes: 5, within: 10m } }\n"
                                              "  segments: { plugin: x }\n"
                                              "rules:\n"
                                              "  failover: { when: \"any of *\", flapping: ignore }\n"
                                              "  other: { when: \"any of *\" }\n"));
    CHECK(p.checks[0].flapChanges == 5);
    CHECK(p.checks[0].flapWithin == 10min);
    CHECK(p.checks[1].flapChanges == 0);
    CHECK(rule(p, "failover").ignoreFlapping);
    CHECK_FALSE(rule(p, "other").ignoreFlapping);
}

TEST_CASE("flap: too few changes, a window too short to ever see them, and an unknown flapping word are refused") {
    TempDir dir;
    const std::string path = dir.write("p.yaml",
                                       "checks:\n"
                                       "  a: { plugin: x, interval: 1m, flap: { changes: 1, within: 10m } }\n"
                                       "  b: { plugin: x, interval: 1m, flap: { changes: 5, within: 3m } }\n"
                                       "  c: { plugin: x, flap: { changes: 5, within: 1h } }\n"
                                       "rules:\n"
                                       "  failover: { when: \"any of *\", flapping: maybe }\n");
    const std::vector<std::string> expected = {
        path + ":2:50: checks.a.flap.changes: must be between 2 and 1000 (a check flaps when its state changes this often)",
        path +
            ":3:61: checks.b.flap.within: 3m is too short to see 5 state changes of a check run every 1m (at least 4m); it could never flap",
        path + ":6:43: rules.failover.flapping: 'maybe' is not one of: failing, ignore",
    };
    CHECK(joinedLines(pipelineErrors(path)) == joinedLines(expected));
}

TEST_CASE("verify and failback are read; aws_stop on the instance aws_start starts is fine") {
    TempDir dir;
    const Pipeline p = loadPipeline(dir.write("p.yaml", kChecks + "  stop_backup: { plugin: aws_stop, instance_id: i-0123456789abcdef0 }\n"
                                                                  "rules:\n"
                                                                  "  failover:\n"
                                                                  "    when: 2 of [encoder, segments]\n"
                                                                  "    then: backup\n"
                                                                  "    verify: { checks: [backup_stream], within: 5m }\n"
                                                                  "    failback: { after: 15m, then: [stop_backup, discord] }\n"));
    const RuleSpec& r = rule(p, "failover");
    CHECK(r.verifyChecks == std::vector<std::string>{"backup_stream"});
    CHECK(r.verifyWithin == 5min);
    CHECK_FALSE(r.verifyFromBackup);
    CHECK(r.failback);
    CHECK(r.failbackAfter == 15min);
    CHECK(r.failbackThen.ids == std::vector<std::string>{"stop_backup", "discord"});
}

TEST_CASE("verify naming an unknown check, failback.after shorter than a check's interval, aws_stop on another instance: one line each") {
    TempDir dir;
    const std::string path = dir.write("p.yaml", kChecks +
                                                     "  stop_other: { plugin: aws_stop, instance_id: i-0fedcba9876543210 }\n"
                                                     "rules:\n"
                                                     "  failover:\n"
                                                     "    when: 2 of [encoder, segments]\n"
                                                     "    then: backup\n"
                                                     "    verify: { checks: [backup_steram], within: 0s }\n"
                                                     "    failback: { after: 5s, then: [stop_other, discord] }\n");
    const std::vector<std::string> expected = {
        path + ":13:23: rules.failover.verify.checks: no check is called 'backup_steram' (did you mean 'backup_stream'?)",
        path + ":13:48: rules.failover.verify.within: must be more than 0",
        path +
            ":14:24: rules.failover.failback.after: 5s is shorter than the interval of segments (1m): the recovery would not be seen twice",
        path +
            ":14:34: rules.failover.failback.then: aws_stop action 'stop_other' names another instance_id than aws_start action "
            "'backup' in then: failing back would stop an instance this rule never started",
    };
    CHECK(joinedLines(pipelineErrors(path)) == joinedLines(expected));
}

TEST_CASE("aws_stop on another instance than aws_start is refused in then, recover and warn too, not only in failback.then") {
    TempDir dir;
    const std::string path = dir.write("p.yaml", kChecks +
                                                     "  stop_other: { plugin: aws_stop, instance_id: i-0fedcba9876543210 }\n"
                                                     "rules:\n"
                                                     "  failover:\n"
                                                     "    when: 2 of [encoder, segments]\n"
                                                     "    then: [backup, stop_other]\n"
                                                     "    recover: [discord, stop_other]\n"
                                                     "    warn: [stop_other]\n");
    const std::string message =
        "aws_stop action 'stop_other' names another instance_id than aws_start action 'backup' in then: it would stop an instance "
        "this rule never started";
    const std::vector<std::string> expected = {
        path + ":12:11: rules.failover.then: " + message,
        path + ":13:14: rules.failover.recover: " + message,
        path + ":14:11: rules.failover.warn: " + message,
    };
    CHECK(joinedLines(pipelineErrors(path)) == joinedLines(expected));
}

TEST_CASE("the instance ids are compared after ${VAR} substitution, and the error does not print them") {
    TempDir dir;
    dir.write("ids.env", "WATCHDOG_T14_BACKUP=i-0123456789abcdef0\nWATCHDOG_T14_OTHER=i-0fedcba9876543210\n");
    const std::string head = "watchdog:\n  env_file: ids.env\n" + kChecks;
    const std::string rules =
        "rules:\n"
        "  failover:\n"
        "    when: 2 of [encoder, segments]\n"
        "    then: backup\n"
        "    recover: stop\n"
        "    failback: { after: 15m, then: [stop] }\n";
    // ${WATCHDOG_T14_BACKUP} holds the id aws_start names literally: the same instance.
    const Pipeline same =
        loadPipeline(dir.write("same.yaml", head + "  stop: { plugin: aws_stop, instance_id: \"${WATCHDOG_T14_BACKUP}\" }\n" + rules));
    CHECK(rule(same, "failover").failbackThen.ids == std::vector<std::string>{"stop"});

    const std::string path =
        dir.write("other.yaml", head + "  stop: { plugin: aws_stop, instance_id: \"${WATCHDOG_T14_OTHER}\" }\n" + rules);
    const std::string message = "aws_stop action 'stop' names another instance_id than aws_start action 'backup' in then: ";
    const std::vector<std::string> expected = {
        path + ":15:14: rules.failover.recover: " + message + "it would stop an instance this rule never started",
        path + ":16:35: rules.failover.failback.then: " + message + "failing back would stop an instance this rule never started",
    };
    const auto errors = pipelineErrors(path);
    CHECK(joinedLines(errors) == joinedLines(expected));
    for (const auto& line : errors) CHECK(line.find("i-0fedcba9876543210") == std::string::npos);
}

TEST_CASE("verify.from_backup is read, and refused where no aws_start reports the backup's address") {
    TempDir dir;
    const Pipeline p =
        loadPipeline(dir.write("p.yaml", kChecks + "rules:\n"
                                                   "  failover:\n"
                                                   "    when: 2 of [encoder, segments]\n"
                                                   "    then: backup\n"
                                                   "    verify: { checks: [backup_stream], within: 5m, from_backup: true }\n"));
    CHECK(rule(p, "failover").verifyFromBackup);

    const std::string path = dir.write("bad.yaml", kChecks +
                                                       "rules:\n"
                                                       "  failover:\n"
                                                       "    when: 2 of [encoder, segments]\n"
                                                       "    then: discord\n"
                                                       "    verify: { checks: [backup_stream], within: 5m, from_backup: true }\n"
                                                       "  other:\n"
                                                       "    when: 2 of [encoder, segments]\n"
                                                       "    then: backup\n"
                                                       "    verify: { checks: [backup_stream], within: 5m, from_backup: maybe }\n");
    const std::vector<std::string> expected = {
        path + ":12:65: rules.failover.verify.from_backup: needs an aws_start action in then: the backup's address comes from its start",
        path + ":16:65: rules.other.verify.from_backup: 'maybe' is not a boolean (use true or false)",
    };
    CHECK(joinedLines(pipelineErrors(path)) == joinedLines(expected));
}
