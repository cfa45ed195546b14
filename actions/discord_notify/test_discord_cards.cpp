// The incident card: its steps and timeline within Discord's limits however long the incident, and
// its store: kept across a reload of the file, a missing file, and a corrupt one named in the error.
#include "IncidentCard.h"
#include "IncidentCardStore.h"
#include "MessageRenderer.h"

#include "FakeDiscord.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::discord_notify;
using namespace watchdog::discord_notify;
using watchdog::test::FakeDiscord;

namespace {

Event incidentEvent(EventType type, TimePoint at, std::string summary) {
    Event e;
    e.type = type;
    e.time = at;
    e.pipeline = "station-eu";
    e.rule = "failover";
    e.incident = "failover-1764650000000";
    e.summary = std::move(summary);
    return e;
}

}  // namespace

TEST_CASE("a card lists every step under the latest event's embed and stays within Discord's limits") {
    const TimePoint t0 = fromEpochMs(1764650000000);
    IncidentCardStore store("");
    const Event warning = incidentEvent(EventType::Warning, t0, "2 of 2 checks failing");
    IncidentCard& card = store.open(warning, "<@&123456789012345678> encoder problem");
    card.steps.push_back(stepFor(warning, render(warning, {})));
    const Event verified = incidentEvent(EventType::Verified, t0 + std::chrono::seconds(100), "Backup on air after 1 min 40 s");
    const Message latest = render(verified, {});
    card.steps.push_back(stepFor(verified, latest));
    const Message m = renderCard(card, latest);
    REQUIRE(m.embeds.size() == 2);
    CHECK(m.content == "<@&123456789012345678> encoder problem");
    CHECK(m.embeds[0].title == latest.embeds[0].title);
    CHECK(m.embeds[1].title == "Incident failover: 2 events");
    CHECK(m.embeds[1].description.find("<t:1764650100:T> \xF0\x9F\x93\xA1 Backup on air: Backup on air after 1 min 40 s") !=
          std::string::npos);
    CHECK(FakeDiscord::validate(toJson(m)).empty());

    // A flapping incident with hundreds of long steps: the latest 40 are listed, the body stays valid.
    for (int i = 0; i < 300; ++i) card.steps.push_back({t0 + std::chrono::seconds(200 + i), std::string(500, 'x')});
    const Message big = renderCard(card, latest);
    CHECK(big.embeds[1].description.rfind("\xE2\x80\xA6 262 earlier events", 0) == 0);
    CHECK(FakeDiscord::validate(toJson(big)).empty());
}

TEST_CASE("the card store keeps ids and steps in its file; a missing file is empty, a corrupt one is named") {
    test::TempDir dir;
    const std::string path = dir.file("cards.json");
    const TimePoint t0 = std::chrono::system_clock::now();
    {
        IncidentCardStore store(path);
        CHECK(store.load().empty());
        const Event warning = incidentEvent(EventType::Warning, t0, "failing");
        IncidentCard& card = store.open(warning, "ping");
        card.messageId = "1310000000000000001";
        card.steps.push_back({t0, "warning step"});
        CHECK(store.save(t0).empty());
    }
    IncidentCardStore again(path);
    CHECK(again.load().empty());
    IncidentCard* card = again.find("failover-1764650000000");
    REQUIRE(card != nullptr);
    CHECK(card->messageId == "1310000000000000001");
    CHECK(card->content == "ping");
    REQUIRE(card->steps.size() == 1);
    CHECK(card->steps[0].text == "warning step");
    CHECK(toEpochMs(card->steps[0].time) == toEpochMs(t0));
    // A week later the card is forgotten.
    CHECK(again.save(t0 + std::chrono::hours(24 * 8)).empty());
    CHECK(again.find("failover-1764650000000") == nullptr);

    dir.write("cards.json", "{\"cards\": [{\"message_id\": \"1\"}]");
    IncidentCardStore corrupt(path);
    const std::string error = corrupt.load();
    CHECK(error.find(path + ": ") == 0);
    CHECK(corrupt.find("failover-1764650000000") == nullptr);
    dir.write("cards.json", "{\"cards\": [{\"message_id\": \"1\"}]}");
    CHECK(corrupt.load() == path + ": cards[0].incident: missing");
}
