// The state file keeps what closing the loop needs across a restart: the verifying and failing_back
// phases with their deadlines, when the verify window began, where the backup is, the runs that count
// against `limit`, and each check's flapping with its recent changes.
#include "TestSupport.h"
#include "engine/StateFile.h"

#include <doctest/doctest.h>

using namespace watchdog;

namespace {

TimePoint at(long long ms) { return fromEpochMs(ms); }

SavedState closedLoopState() {
    SavedState s;
    s.pipeline = "station";
    s.sequence = 42;
    RuleState& verifying = s.rules["failover"];
    verifying.phase = RulePhase::Verifying;
    verifying.incident = "failover-1764000000000";
    verifying.opened = at(1764000000000);
    verifying.fired = at(1764000300000);
    verifying.verifyFrom = at(1764000312345);
    verifying.deadline = at(1764000612345);
    verifying.remedies["backup"] = RemedyProgress::Reported;
    verifying.runs = {at(1763990000000), at(1764000300000)};
    verifying.onAir = {{"instance_id", "i-0123456789abcdef0"}, {"public_ip", "203.0.113.7"}, {"private_ip", "10.0.0.7"}};

    RuleState& failingBack = s.rules["second_site"];
    failingBack.phase = RulePhase::FailingBack;
    failingBack.incident = "second_site-1764000000001";
    failingBack.deadline = at(1764001200000);
    failingBack.remedyFailed = true;
    failingBack.dryRun = true;

    RuleState& limited = s.rules["restart_loop"];
    limited.phase = RulePhase::Limited;
    limited.incident = "restart_loop-1764000000002";
    limited.deadline = at(1764086400000);
    limited.runs = {at(1764000000000), at(1764000100000)};

    s.checks["flappy"] = SavedCheck{Health::Failing, 1, at(1764000400000), true, {at(1764000390000), at(1764000395000), at(1764000400000)}};
    s.checks["steady"] = SavedCheck{Health::Passing, 12, at(1763990000000), false, {}};
    return s;
}

}  // namespace

TEST_CASE("verify_from_ms, on_air, the verifying/limited/failing_back phases, runs_ms and flapping survive a save and a load") {
    test::TempDir dir;
    StateFile file(dir.file("state.json"));
    const SavedState saved = closedLoopState();
    file.save(saved);
    const std::string text = test::readFile(file.path());
    for (const char* key : {"\"verify_from_ms\"", "\"on_air\"", "\"verifying\"", "\"failing_back\"", "\"limited\"", "\"runs_ms\"",
                            "\"flapping\"", "\"changes_ms\"", "\"remedy_failed\"", "\"dry_run\""})
        CHECK_MESSAGE(text.find(key) != std::string::npos, std::string(key));

    std::string warning;
    const SavedState loaded = file.load("station", warning);
    CHECK(warning.empty());
    CHECK(loaded.sequence == 42);
    REQUIRE(loaded.rules.size() == 3);

    const RuleState& verifying = loaded.rules.at("failover");
    CHECK((verifying.phase == RulePhase::Verifying));
    CHECK(verifying.incident == "failover-1764000000000");
    CHECK(verifying.opened == at(1764000000000));
    CHECK(verifying.fired == at(1764000300000));
    CHECK(verifying.verifyFrom == at(1764000312345));
    CHECK(verifying.deadline == at(1764000612345));
    CHECK((verifying.remedies == std::map<std::string, RemedyProgress>{{"backup", RemedyProgress::Reported}}));
    CHECK(verifying.runs == saved.rules.at("failover").runs);
    CHECK(verifying.onAir == saved.rules.at("failover").onAir);  // in order: the messages name them so
    CHECK_FALSE(verifying.remedyFailed);
    CHECK_FALSE(verifying.dryRun);

    const RuleState& failingBack = loaded.rules.at("second_site");
    CHECK((failingBack.phase == RulePhase::FailingBack));
    CHECK(failingBack.deadline == at(1764001200000));
    CHECK(failingBack.remedyFailed);
    CHECK(failingBack.dryRun);
    CHECK(failingBack.runs.empty());
    CHECK(failingBack.onAir.empty());
    CHECK(failingBack.verifyFrom == TimePoint{});

    const RuleState& limited = loaded.rules.at("restart_loop");
    CHECK((limited.phase == RulePhase::Limited));
    CHECK(limited.deadline == at(1764086400000));
    CHECK(limited.runs == saved.rules.at("restart_loop").runs);

    REQUIRE(loaded.checks.size() == 2);
    const SavedCheck& flappy = loaded.checks.at("flappy");
    CHECK(flappy.flapping);
    CHECK((flappy.health == Health::Failing));
    CHECK(flappy.consecutive == 1);
    CHECK(flappy.since == at(1764000400000));
    CHECK(flappy.changes == saved.checks.at("flappy").changes);
    const SavedCheck& steady = loaded.checks.at("steady");
    CHECK_FALSE(steady.flapping);
    CHECK(steady.changes.empty());
    CHECK(steady.consecutive == 12);

    // Saving what was loaded writes the same file: nothing is lost on a second restart either.
    StateFile again(dir.file("again.json"));
    again.save(loaded);
    CHECK(test::readFile(again.path()) == text);
}
