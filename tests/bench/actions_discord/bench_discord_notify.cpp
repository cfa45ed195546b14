// How fast discord_notify renders messages and delivers them to a local webhook (FakeDiscord).
#include "DiscordMessage.h"
#include "MessageRenderer.h"
#include "DiscordNotifyAction.h"

#include "FakeDiscord.h"
#include "TestSupport.h"
#include "config/ConfigNode.h"

#include <chrono>
#include <cstdio>

using namespace watchdog;
using namespace watchdog::discord_notify;
using BenchClock = std::chrono::steady_clock;

namespace {

Event statusEvent(int checks, std::size_t textSize) {
    Event e;
    e.type = EventType::Status;
    e.time = std::chrono::system_clock::now();
    e.pipeline = "station-eu";
    e.summary = "Status report";
    for (int i = 0; i < checks; ++i) {
        CheckSnapshot c;
        c.id = "check" + std::to_string(i);
        c.label = "Check " + std::to_string(i);
        c.health = i % 3 ? Health::Passing : Health::Failing;
        c.hasResult = true;
        c.last = Result::pass(std::string(textSize, 'x')).withValue(i * 1.5, "%");
        e.checks.push_back(c);
    }
    return e;
}

void benchRender(const char* name, const Event& e, int rounds) {
    std::size_t bytes = 0;
    const auto t0 = BenchClock::now();
    for (int i = 0; i < rounds; ++i) bytes += discord_notify::toJson(discord_notify::render(e, {})).size();
    const double s = std::chrono::duration<double>(BenchClock::now() - t0).count();
    std::printf("render %-34s %8d msgs  %9.0f msgs/s  %7.1f us/msg  %6zu bytes/msg\n", name, rounds, rounds / s, s / rounds * 1e6,
                bytes / static_cast<std::size_t>(rounds));
}

// One incident's events as separate posts (incident_card: false) against the card: one post with
// ?wait=true, then an edit per event, each also saving the card's state file (fsync'd).
void benchCard(test::FakeDiscord& discord) {
    test::TempDir dir;
    const ActionContext ctx{"discord", "Discord", false, nullptr};
    const int n = 200;
    double seconds[2] = {0, 0};
    for (int card = 0; card < 2; ++card) {
        Options options(parseYaml("webhook_url: " + discord.webhookUrl() + "\nstate_file: " + dir.file("cards.json") +
                                      "\nalso_post: []\nincident_card: " + (card ? "true" : "false") + "\n",
                                  "bench.yaml"),
                        "actions.discord", dir.path());
        DiscordNotifyAction action;
        action.configure(options);
        Event e = statusEvent(2, 30);
        e.type = EventType::Outcome;
        e.rule = "failover";
        e.incident = "failover-" + std::to_string(card);
        e.action = "backup";
        const auto t0 = BenchClock::now();
        for (int i = 0; i < n; ++i) action.execute(e, ctx);
        seconds[card] = std::chrono::duration<double>(BenchClock::now() - t0).count();
    }
    std::printf("incident events: %d posts %.2f ms/event, card (edits + state file) %.2f ms/event, ratio card/posts %.2f\n", n,
                seconds[0] / n * 1e3, seconds[1] / n * 1e3, seconds[1] / seconds[0]);
}

}  // namespace

int main() {
    benchRender("status, 4 checks", statusEvent(4, 30), 20000);
    benchRender("status, 40 checks x 2000 chars (cut)", statusEvent(40, 2000), 2000);

    test::FakeDiscord discord;
    Options options(parseYaml("webhook_url: " + discord.webhookUrl() + "\n", "bench.yaml"), "actions.discord", "/tmp");
    DiscordNotifyAction action;
    action.configure(options);
    const Event e = statusEvent(4, 30);
    const ActionContext ctx{"discord", "Discord", false, nullptr};
    const int n = 500;
    const auto t0 = BenchClock::now();
    int ok = 0;
    for (int i = 0; i < n; ++i) ok += action.execute(e, ctx).ok;
    const double s = std::chrono::duration<double>(BenchClock::now() - t0).count();
    std::printf("deliver to FakeDiscord (loopback HTTP)     %8d msgs  %9.0f msgs/s  %7.2f ms/msg  %d ok, %zu accepted\n", n, n / s,
                s / n * 1e3, ok, discord.messageCount());

    benchCard(discord);

    discord.clear();
    discord.setBucket(5, std::chrono::milliseconds(200));
    const int m = 50;
    const auto t1 = BenchClock::now();
    for (int i = 0; i < m; ++i) action.execute(e, ctx);
    const double s1 = std::chrono::duration<double>(BenchClock::now() - t1).count();
    int limited = 0;
    for (const auto& r : discord.requests()) limited += r.status == 429;
    std::printf("deliver under a 5 per 200 ms bucket        %8d msgs  %9.1f msgs/s (bucket allows 25/s)  %d answered 429\n", m, m / s1,
                limited);
    return 0;
}
