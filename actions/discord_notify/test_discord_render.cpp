// Rendering: what each event looks like in Discord, and that no event ever makes a body Discord
// would refuse (checked with FakeDiscord::validate, an independent implementation of the limits).
#include "DiscordMessage.h"
#include "DiscordText.h"
#include "MessageRenderer.h"

#include "FakeDiscord.h"

#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <regex>

using namespace watchdog;
using namespace watchdog::discord_notify;
using namespace watchdog::discord_notify;
using watchdog::test::FakeDiscord;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& json) {
    Poco::JSON::Parser p;
    return p.parse(json).extract<Poco::JSON::Object::Ptr>();
}

CheckSnapshot check(const std::string& id, const std::string& label, Health health, Result last) {
    CheckSnapshot c;
    c.id = id;
    c.label = label;
    c.health = health;
    c.last = std::move(last);
    c.hasResult = true;
    return c;
}

std::vector<CheckSnapshot> stationChecks() {
    return {check("icecast", "Icecast Sources", Health::Failing, Result::fail("no source connected").withValue(0, "sources")),
            check("liquidsoap_cpu", "Liquidsoap CPU", Health::Passing, Result::pass("42.5 % CPU").withValue(42.5, "%")),
            check("ts_count", "TS File Count", Health::Failing, Result::error("cannot read /var/www/hls: Permission denied")),
            check("ts_age", "HLS Old Files", Health::Passing, Result::pass("newest segment 4 s old").withValue(4, "s"))};
}

Event event(EventType type) {
    Event e;
    e.type = type;
    e.time = fromEpochMs(1727365199000LL);  // 2024-09-26 15:39:59 UTC
    e.pipeline = "station-eu";
    e.rule = "failover";
    e.incident = "failover-1727365199000";
    e.checks = stationChecks();
    return e;
}

std::string longText(std::size_t n, const std::string& unit = "x") {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += unit;
    return s;
}

}  // namespace

TEST_CASE("the startup message is the old script's line with its local-time timestamp") {
    const Event e = event(EventType::Startup);
    auto body = parse(toJson(render(e, {})));
    const std::string content = body->getValue<std::string>("content");
    CHECK(content == "The monitoring bot has restarted at " + toLocalSeconds(e.time) + " and is now actively monitoring.");
    // "2024-09-26 15:39:59" style: date, space, time to the second, no zone or fraction.
    CHECK(std::regex_match(toLocalSeconds(e.time), std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")));
    CHECK_FALSE(body->has("embeds"));
    CHECK(body->getObject("allowed_mentions")->getArray("parse")->size() == 0);
}

TEST_CASE("a status report has one field per check with state, value and reason, red when any check fails") {
    Event e = event(EventType::Status);
    e.summary = "Status report";
    auto embed = parse(toJson(render(e, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "Status report");
    CHECK(embed->getValue<int>("color") == colors::red);
    CHECK(embed->getValue<std::string>("description") == "2 of 4 checks failing");
    auto fields = embed->getArray("fields");
    REQUIRE(fields->size() == 4);
    CHECK(fields->getObject(0)->getValue<std::string>("name") == "Icecast Sources");
    CHECK(fields->getObject(0)->getValue<std::string>("value") == "\xE2\x9D\x8C failing · 0 sources · no source connected");
    CHECK(fields->getObject(1)->getValue<std::string>("value") == "\xE2\x9C\x85 passing · 42.5 % · 42.5 % CPU");
    CHECK(fields->getObject(2)->getValue<std::string>("value").find("(error) · cannot read /var/www/hls: Permission denied") !=
          std::string::npos);
    CHECK(embed->getValue<std::string>("timestamp") == "2024-09-26T15:39:59.000Z");
    CHECK(embed->getObject("footer")->getValue<std::string>("text") == "encoder-watchdog · station-eu");

    for (auto& c : e.checks) c.health = Health::Passing;
    embed = parse(toJson(render(e, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<int>("color") == colors::green);
    CHECK(embed->getValue<std::string>("description") == "All 4 checks passing");
}

TEST_CASE("a warning names the failing checks and the countdown, and pings only the configured role") {
    Event e = event(EventType::Warning);
    e.failing = {"icecast", "ts_count"};
    e.deadline = e.time + std::chrono::seconds(300);
    e.summary = "2 of 4 checks failing (Icecast Sources, TS File Count); backup in 5 min";
    auto body = parse(toJson(render(e, {"", "", "112233445566778899"})));
    CHECK(body->getValue<std::string>("content") == "<@&112233445566778899> encoder problem, failover countdown started");
    auto mentions = body->getObject("allowed_mentions");
    CHECK(mentions->getArray("parse")->size() == 0);
    REQUIRE(mentions->getArray("roles")->size() == 1);
    CHECK(mentions->getArray("roles")->getElement<std::string>(0) == "112233445566778899");
    auto embed = body->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<int>("color") == colors::orange);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x9A\xA0\xEF\xB8\x8F Encoder problem: failover countdown started");
    const std::string d = embed->getValue<std::string>("description");
    CHECK(d.find("2 of 4 checks failing") == 0);
    CHECK(d.find("Failing: Icecast Sources, TS File Count") != std::string::npos);
    CHECK(d.find("<t:1727365499:R>") != std::string::npos);
    CHECK(d.find("(at " + toLocalSeconds(*e.deadline) + ")") != std::string::npos);
    CHECK(embed->getArray("fields")->size() == 2);

    // Without a mention nobody is pinged and there is no content.
    body = parse(toJson(render(e, {})));
    CHECK_FALSE(body->has("content"));
    CHECK_FALSE(body->getObject("allowed_mentions")->has("roles"));
}

TEST_CASE("outcome, recovery, cancellation, failover and check errors") {
    Event o = event(EventType::Outcome);
    o.action = "backup";
    o.ok = true;
    o.summary = "started i-0123456789abcdef0 (was stopped): running at 203.0.113.7";
    o.details = {{"instance_id", "i-0123456789abcdef0"}, {"state", "running"}, {"public_ip", "203.0.113.7"}, {"private_ip", ""}};
    o.duration = std::chrono::milliseconds(42000);
    auto embed = parse(toJson(render(o, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x9C\x85 Remedy backup succeeded");
    CHECK(embed->getValue<int>("color") == colors::green);
    auto fields = embed->getArray("fields");
    REQUIRE(fields->size() == 4);  // the empty private_ip is left out; "took" is added
    CHECK(fields->getObject(0)->getValue<std::string>("value") == "i-0123456789abcdef0");
    CHECK(fields->getObject(2)->getValue<std::string>("value") == "203.0.113.7");
    CHECK(fields->getObject(3)->getValue<std::string>("value") == "42 s");
    o.ok = false;
    o.summary = "i-0123456789abcdef0 is terminated and cannot be started";
    embed = parse(toJson(render(o, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x9D\x8C Remedy backup failed");
    CHECK(embed->getValue<int>("color") == colors::red);

    Event r = event(EventType::Recovered);
    r.summary = "Recovered: all checks of failover are back after 12 min";
    r.duration = std::chrono::minutes(12);
    embed = parse(toJson(render(r, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("description") == r.summary);
    CHECK(embed->getArray("fields")->getObject(0)->getValue<std::string>("value") == "12 min");

    Event c = event(EventType::Cancelled);
    c.summary = "Checks recovered after 2 min during the countdown; failover cancelled";
    embed = parse(toJson(render(c, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x9C\x85 Failover cancelled");

    Event f = event(EventType::Failover);
    f.failing = {"icecast", "ts_count"};
    f.summary = "Still failing after 5 min: Icecast Sources, TS File Count; running backup";
    embed = parse(toJson(render(f, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<int>("color") == colors::red);
    CHECK(embed->getArray("fields")->size() == 2);

    Event err = event(EventType::CheckError);
    err.checkId = "ts_count";
    err.summary = "TS File Count: cannot read /var/www/hls: Permission denied";
    embed = parse(toJson(render(err, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x9D\x97 Check error: TS File Count");
    CHECK(embed->getValue<std::string>("description") == err.summary);

    Event s = event(EventType::Shutdown);
    s.summary = "The monitoring bot is stopping at 2024-09-26 16:00:00.";
    CHECK(parse(toJson(render(s, {})))->getValue<std::string>("content") == s.summary);
}

TEST_CASE("a dry-run remedy's outcome says what it would do, never that it succeeded") {
    Event o = event(EventType::Outcome);
    o.action = "backup";
    o.ok = true;
    o.summary = "would start i-0123456789abcdef0 (dry run): it is stopped and StartInstances would be allowed";
    o.details = {{"instance_id", "i-0123456789abcdef0"}, {"dry_run", "allowed"}};
    o.duration = std::chrono::milliseconds(9442);
    const std::string body = toJson(render(o, {}));
    CHECK(body.find("succeeded") == std::string::npos);
    auto embed = parse(body)->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xF0\x9F\xA7\xAA Remedy backup: dry run, nothing changed");
    CHECK(embed->getValue<int>("color") == colors::grey);
    CHECK(embed->getValue<std::string>("description") == o.summary);
    CHECK(embed->getArray("fields")->getObject(2)->getValue<std::string>("value") == "9.4 s");

    o.ok = false;
    o.summary = "would start i-0123456789abcdef0 (dry run), but StartInstances would be denied (it is stopped): no";
    embed = parse(toJson(render(o, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x9D\x8C Remedy backup: dry run failed, nothing changed");
    CHECK(embed->getValue<int>("color") == colors::red);
}

TEST_CASE("values are rounded for people and counted nouns agree with their number") {
    Event e = event(EventType::Status);
    e.checks = {check("icecast", "Icecast Sources", Health::Passing, Result::pass("1 source connected").withValue(1, "sources")),
                check("cpu", "Liquidsoap CPU", Health::Passing, Result::pass("at 2.2 % CPU").withValue(2.22059, "%")),
                check("ts_age", "HLS Old Files", Health::Passing, Result::pass("ok").withValue(130.4, "s"))};
    auto fields = parse(toJson(render(e, {})))->getArray("embeds")->getObject(0)->getArray("fields");
    CHECK(fields->getObject(0)->getValue<std::string>("value") == "\xE2\x9C\x85 passing · 1 source · 1 source connected");
    CHECK(fields->getObject(1)->getValue<std::string>("value") == "\xE2\x9C\x85 passing · 2.2 % · at 2.2 % CPU");
    CHECK(fields->getObject(2)->getValue<std::string>("value") == "\xE2\x9C\x85 passing · 2 min 10 s · ok");

    e.checks.resize(1);
    CHECK(parse(toJson(render(e, {})))->getArray("embeds")->getObject(0)->getValue<std::string>("description") == "The check is passing");
}

TEST_CASE("username and avatar overrides are sent only when set") {
    auto body = parse(toJson(render(event(EventType::Startup), {"Encoder Watchdog", "https://example.org/a.png", ""})));
    CHECK(body->getValue<std::string>("username") == "Encoder Watchdog");
    CHECK(body->getValue<std::string>("avatar_url") == "https://example.org/a.png");
    body = parse(toJson(render(event(EventType::Startup), {})));
    CHECK_FALSE(body->has("username"));
    CHECK_FALSE(body->has("avatar_url"));
}

TEST_CASE("every event type renders to a body Discord accepts, even with huge and hostile texts") {
    const std::string huge = longText(5000, "\xF0\x9F\x8E\xB5") + "\xFF\xFE broken utf8 @everyone";  // 🎵 x5000
    for (EventType type : {EventType::Startup, EventType::Status, EventType::Warning, EventType::Cancelled, EventType::Failover,
                           EventType::Outcome, EventType::Recovered, EventType::CheckError, EventType::Shutdown}) {
        Event e = event(type);
        e.summary = huge;
        e.pipeline = huge;
        e.action = huge;
        e.checkId = "icecast";
        e.failing = {"icecast", "ts_count", "ts_age"};
        e.deadline = e.time;
        e.details = {{huge, huge}, {"state", "running"}};
        for (int i = 0; i < 40; ++i)
            e.checks.push_back(check("c" + std::to_string(i), huge, Health::Failing, Result::fail(huge).withValue(1e300, huge)));
        const std::string body = toJson(render(e, {"", "", "123456789012345678"}));
        INFO(toString(type));
        CHECK(FakeDiscord::validate(body) == "");
        CHECK(body.find("\xFF") == std::string::npos);
    }
}

TEST_CASE("truncation at each limit: cut on a character boundary, ending in an ellipsis") {
    CHECK(truncateTo("hello", 5) == "hello");
    CHECK(truncateTo("hello world", 5) == "hell\xE2\x80\xA6");
    CHECK(discordLength(truncateTo(longText(3000), limits::content)) == limits::content);
    // A 4-byte character counts twice (UTF-16) and is never split.
    const std::string notes = truncateTo(longText(10, "\xF0\x9F\x8E\xB5"), 5);
    CHECK(notes == "\xF0\x9F\x8E\xB5\xF0\x9F\x8E\xB5\xE2\x80\xA6");
    CHECK(truncateTo("  padded  ", 6) == "padded");
    CHECK(sanitizeUtf8("a\xC3(b") == "a\xEF\xBF\xBD(b");
    CHECK(sanitizeUtf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a UTF-16 surrogate is not UTF-8

    Message m;
    m.content = longText(2500);
    Embed e;
    e.title = longText(300);
    e.description = longText(5000);
    e.footer = longText(3000);
    e.author = longText(300);
    for (int i = 0; i < 30; ++i) e.fields.push_back({longText(300), longText(2000), true});
    m.embeds.assign(12, e);
    const Message fit = fitToLimits(m);
    CHECK(discordLength(fit.content) == limits::content);
    CHECK(fit.embeds.size() <= limits::embeds);
    CHECK(embedTotal(fit) <= limits::total);
    REQUIRE_FALSE(fit.embeds.empty());
    const Embed& first = fit.embeds.front();
    CHECK(discordLength(first.title) == limits::title);
    CHECK(discordLength(first.author) == limits::author);
    CHECK(first.fields.size() <= limits::fields);
    CHECK(FakeDiscord::validate(toJson(m)) == "");
}

TEST_CASE("one embed over the total keeps its title and notes how many fields were left out") {
    Message m;
    Embed e;
    e.title = "Status report";
    e.description = "30 checks";
    for (int i = 0; i < 24; ++i) e.fields.push_back({"check " + std::to_string(i), longText(400), false});
    m.embeds.push_back(e);
    const Message fit = fitToLimits(m);
    CHECK(embedTotal(fit) <= limits::total);
    REQUIRE(fit.embeds.size() == 1);
    CHECK(fit.embeds[0].title == "Status report");
    CHECK(fit.embeds[0].description == "30 checks");
    const auto& last = fit.embeds[0].fields.back();
    CHECK(last.name == "\xE2\x80\xA6");
    CHECK(last.value == std::to_string(24 - (fit.embeds[0].fields.size() - 1)) + " more not shown");

    Embed many;
    many.title = "t";
    for (int i = 0; i < 30; ++i) many.fields.push_back({"n", "v", true});
    Message m2;
    m2.embeds.push_back(many);
    const Message fit2 = fitToLimits(m2);
    REQUIRE(fit2.embeds[0].fields.size() == 25);
    CHECK(fit2.embeds[0].fields.back().value == "6 more not shown");
}

TEST_CASE("empty texts never reach Discord: empty fields are filled and an empty message gets content") {
    Message m;
    Embed e;
    e.fields.push_back({"", "   ", false});
    m.embeds.push_back(e);
    const std::string body = toJson(m);
    CHECK(FakeDiscord::validate(body) == "");
    auto f = parse(body)->getArray("embeds")->getObject(0)->getArray("fields")->getObject(0);
    CHECK(f->getValue<std::string>("name") == "-");
    CHECK(f->getValue<std::string>("value") == "-");
    CHECK(FakeDiscord::validate(toJson(Message{})) == "");
}

TEST_CASE("the validator these tests rely on refuses what Discord refuses") {
    const std::string am = R"(,"allowed_mentions":{"parse":[]})";
    CHECK(FakeDiscord::validate(R"({"content":"hi")" + am + "}") == "");
    CHECK(FakeDiscord::validate(R"({"content":"hi"})").find("allowed_mentions: missing") == 0);
    CHECK(FakeDiscord::validate(R"({"content":")" + longText(2001) + "\"" + am + "}").find("content: must be 2000 or fewer") == 0);
    CHECK(FakeDiscord::validate(R"({"content":"  "})").find("Cannot send an empty message") == 0);
    CHECK(FakeDiscord::validate(R"({"embeds":[{"title":")" + longText(257) + "\"}]" + am + "}").find("embeds.0.title") == 0);
    CHECK(FakeDiscord::validate(R"({"embeds":[{"description":")" + longText(4097) + "\"}]" + am + "}").find("embeds.0.description") == 0);
    CHECK(FakeDiscord::validate(R"({"embeds":[{"fields":[{"name":"","value":"v"}]}])" + am + "}").find("embeds.0.fields.0.name") == 0);
    CHECK(FakeDiscord::validate(R"({"embeds":[{"fields":[{"name":"n","value":")" + longText(1025) + "\"}]}]" + am + "}")
              .find("embeds.0.fields.0.value") == 0);
    CHECK(FakeDiscord::validate(R"({"embeds":[{"footer":{"text":")" + longText(2049) + "\"}}]" + am + "}").find("embeds.0.footer.text") ==
          0);
    CHECK(FakeDiscord::validate(R"({"embeds":[{"author":{"name":")" + longText(257) + "\"}}]" + am + "}").find("embeds.0.author.name") ==
          0);
    std::string fields;
    for (int i = 0; i < 26; ++i) fields += std::string(i ? "," : "") + R"({"name":"n","value":"v"})";
    CHECK(FakeDiscord::validate(R"({"embeds":[{"fields":[)" + fields + "]}]" + am + "}").find("embeds.0.fields: must be 25") == 0);
    std::string embeds;
    for (int i = 0; i < 11; ++i) embeds += std::string(i ? "," : "") + R"({"title":"t"})";
    CHECK(FakeDiscord::validate(R"({"embeds":[)" + embeds + "]" + am + "}").find("embeds: must be 10") == 0);
    const std::string big = R"({"description":")" + longText(3500) + "\"}";
    CHECK(FakeDiscord::validate(R"({"embeds":[)" + big + "," + big + "]" + am + "}").find("Embed size exceeds maximum size of 6000") !=
          std::string::npos);
    CHECK(FakeDiscord::validate(R"({"content":"x","allowed_mentions":{"parse":["roles"],"roles":["1"]}})").find("mutually exclusive") !=
          std::string::npos);
    CHECK(FakeDiscord::validate(R"({"embeds":[{"title":"t","timestamp":"yesterday"}])" + am + "}").find("timestamp") != std::string::npos);
    CHECK(FakeDiscord::validate("[1,2]") == "body is not a JSON object");
}

TEST_CASE("closing the loop: limited and not_verified ring the phone; verified, failback and stable are green; flapping is marked") {
    Event l = event(EventType::Limited);
    l.failing = {"icecast", "ts_count"};
    l.deadline = l.time + std::chrono::hours(20);
    l.summary = "Still failing after 5 min: Icecast Sources, TS File Count; backup not run: the limit of 2 runs per 1 d is reached";
    auto body = parse(toJson(render(l, {"", "", "112233445566778899"})));
    CHECK(body->getValue<std::string>("content") == "<@&112233445566778899> failover held back by its limit");
    auto embed = body->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x9B\x94 Failover held back: remedy limit reached");
    CHECK(embed->getValue<int>("color") == colors::red);
    CHECK(embed->getValue<std::string>("description").find("The remedies may run again <t:1727437199:R>") != std::string::npos);
    CHECK(embed->getArray("fields")->size() == 2);

    Event v = event(EventType::Verified);
    v.duration = std::chrono::seconds(100);
    v.summary = "Backup on air after 1 min 40 s: Backup stream passes (i-0123456789abcdef0 at 203.0.113.7)";
    v.details = {{"instance_id", "i-0123456789abcdef0"}, {"public_ip", "203.0.113.7"}};
    body = parse(toJson(render(v, {"", "", "112233445566778899"})));
    CHECK_FALSE(body->has("content"));  // good news pings nobody
    embed = body->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xF0\x9F\x93\xA1 Backup on air");
    CHECK(embed->getValue<int>("color") == colors::green);
    auto fields = embed->getArray("fields");
    REQUIRE(fields->size() == 3);
    CHECK(fields->getObject(0)->getValue<std::string>("value") == "1 min 40 s");
    CHECK(fields->getObject(2)->getValue<std::string>("name") == "public_ip");

    Event n = event(EventType::NotVerified);
    n.failing = {"icecast"};
    n.summary = "Backup started but not on air: Icecast Sources does not pass 5 min after backup succeeded";
    body = parse(toJson(render(n, {"", "", "112233445566778899"})));
    CHECK(body->getValue<std::string>("content") == "<@&112233445566778899> backup started but not on air");
    embed = body->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xF0\x9F\x9A\xA8 Backup started but not on air");
    CHECK(embed->getValue<int>("color") == colors::red);

    Event b = event(EventType::Failback);
    b.summary = "Healthy for 15 min since the recovery: failing back, running stop_backup";
    embed = parse(toJson(render(b, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x86\xA9\xEF\xB8\x8F Failing back to the primary");
    CHECK(embed->getValue<std::string>("description") == b.summary);

    Event bc = event(EventType::FailbackCancelled);
    bc.failing = {"icecast"};
    bc.summary = "Failing again 5 min after the recovery (Icecast Sources): failback cancelled, the backup stays on";
    embed = parse(toJson(render(bc, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<int>("color") == colors::orange);
    CHECK(embed->getValue<std::string>("title").find("Failback cancelled") != std::string::npos);

    Event f = event(EventType::Flapping);
    f.checkId = "icecast";
    f.checks[0].flapping = true;
    f.summary = "Icecast Sources is flapping (5 state changes within 10 min): no message per change until it is stable";
    embed = parse(toJson(render(f, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xF0\x9F\x94\x81 Flapping: Icecast Sources");
    CHECK(embed->getValue<int>("color") == colors::orange);
    CHECK(embed->getArray("fields")->getObject(0)->getValue<std::string>("value").find("flapping") != std::string::npos);
    Event st = event(EventType::Stable);
    st.checkId = "icecast";
    embed = parse(toJson(render(st, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x9C\x85 Stable again: Icecast Sources");
    CHECK(embed->getValue<int>("color") == colors::green);
}

TEST_CASE("the closed-loop events render to bodies Discord accepts, even with huge and hostile texts") {
    const std::string huge = longText(5000, "\xF0\x9F\x8E\xB5") + "\xFF\xFE broken utf8 @everyone";
    for (EventType type : {EventType::Limited, EventType::Verified, EventType::NotVerified, EventType::Failback,
                           EventType::FailbackCancelled, EventType::Flapping, EventType::Stable}) {
        Event e = event(type);
        e.summary = huge;
        e.checkId = "icecast";
        e.failing = {"icecast", "ts_count", "ts_age"};
        e.deadline = e.time;
        e.duration = std::chrono::milliseconds(1);
        e.details = {{"instance_id", huge}, {"public_ip", huge}};
        for (int i = 0; i < 40; ++i)
            e.checks.push_back(check("c" + std::to_string(i), huge, Health::Failing, Result::fail(huge).withValue(1e300, huge)));
        const std::string body = toJson(render(e, {"", "", "123456789012345678"}));
        INFO(toString(type));
        CHECK(FakeDiscord::validate(body) == "");
        CHECK(body.find("\xFF") == std::string::npos);
    }
}

TEST_CASE(
    "the operator's events: maintenance started (grey, until), ended (green, what failed meanwhile), acknowledged (who and why); none pings") {
    Event started = event(EventType::MaintenanceStarted);
    started.summary = "Maintenance of the pipeline until 2026-12-02 08:00:00 (1 h) by alice: new encoder card";
    started.deadline = started.time + std::chrono::hours(1);
    started.details = {{"scope", "pipeline"}, {"id", ""}, {"by", "alice"}, {"reason", "new encoder card"}};
    auto embed = parse(toJson(render(started, {"", "", "123456789012345678"})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xF0\x9F\x94\xA7 Maintenance started");
    CHECK(embed->getValue<int>("color") == colors::grey);
    const std::string startedBody = toJson(render(started, {"", "", "123456789012345678"}));
    CHECK(startedBody.find("new encoder card") != std::string::npos);
    CHECK(startedBody.find("\"Until\"") != std::string::npos);
    CHECK(startedBody.find("<@&") == std::string::npos);

    Event ended = event(EventType::MaintenanceEnded);
    ended.summary = "Maintenance of the pipeline ended as planned after 1 h: failed meanwhile: Icecast Sources";
    ended.failing = {"icecast"};
    embed = parse(toJson(render(ended, {})))->getArray("embeds")->getObject(0);
    CHECK(embed->getValue<std::string>("title") == "\xE2\x9C\x85 Maintenance ended");
    CHECK(embed->getValue<int>("color") == colors::green);
    CHECK(embed->getArray("fields")->size() >= 1);

    Event ack = event(EventType::Acknowledged);
    ack.summary = "alice acknowledged incident failover-1; no more reminders or escalations for it";
    ack.details = {{"by", "alice"}, {"reason", "driving in"}};
    const std::string ackBody = toJson(render(ack, {"", "", "123456789012345678"}));
    CHECK(FakeDiscord::validate(ackBody) == "");
    CHECK(ackBody.find("Incident acknowledged") != std::string::npos);
    CHECK(ackBody.find("driving in") != std::string::npos);
    CHECK(ackBody.find("<@&") == std::string::npos);
}
