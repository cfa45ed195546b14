#include "IncidentCard.h"

#include <watchdog/HumanFormat.h>

namespace watchdog::discord_notify {

namespace {

constexpr std::size_t kSummaryChars = 160;
constexpr std::size_t kStepsShown = 40;

std::string shortened(const std::string& text) {
    if (text.size() <= kSummaryChars) return text;
    std::size_t cut = kSummaryChars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // stay on a character boundary
    return text.substr(0, cut) + "\xE2\x80\xA6";
}

long long epochSeconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

}  // namespace

bool belongsOnCard(const Event& event) {
    if (event.incident.empty()) return false;
    switch (event.type) {
        case EventType::Startup:
        case EventType::Status:
        case EventType::Shutdown:
        case EventType::CheckError:
        case EventType::Flapping:
        case EventType::Stable:
            return false;
        default:
            return true;
    }
}

CardStep stepFor(const Event& event, const Message& rendered) {
    CardStep step;
    step.time = event.time;
    step.text = rendered.embeds.empty() ? rendered.content : rendered.embeds.front().title;
    if (!event.summary.empty() && event.summary != step.text) step.text += ": " + shortened(event.summary);
    return step;
}

Message renderCard(const IncidentCard& card, const Message& latest) {
    Message m;
    m.username = latest.username;
    m.avatarUrl = latest.avatarUrl;
    m.content = card.content;
    m.mentionRoles = latest.mentionRoles;
    if (!latest.embeds.empty()) m.embeds.push_back(latest.embeds.front());

    Embed timeline;
    timeline.title = "Incident " + card.rule + ": " + human::count(static_cast<long long>(card.steps.size()), "event");
    timeline.color = latest.embeds.empty() ? std::nullopt : latest.embeds.front().color;
    timeline.footer = card.pipeline.empty() ? "encoder-watchdog" : "encoder-watchdog \xC2\xB7 " + card.pipeline;
    if (card.opened != TimePoint{}) timeline.timestamp = toIso8601(card.opened);
    const std::size_t skipped = card.steps.size() > kStepsShown ? card.steps.size() - kStepsShown : 0;
    if (skipped > 0) timeline.description = "\xE2\x80\xA6 " + human::count(static_cast<long long>(skipped), "earlier event") + "\n";
    for (std::size_t i = skipped; i < card.steps.size(); ++i) {
        const CardStep& s = card.steps[i];
        // <t:EPOCH:T> shows the time in each reader's own time zone.
        timeline.description += "<t:" + std::to_string(epochSeconds(s.time)) + ":T> " + s.text + "\n";
    }
    if (!card.steps.empty()) {
        const auto lasted = std::chrono::duration_cast<std::chrono::milliseconds>(card.steps.back().time - card.opened);
        timeline.fields.push_back({"Since the first event", human::duration(lasted), true});
    }
    timeline.fields.push_back({"Incident", card.incident, true});
    m.embeds.push_back(timeline);
    return m;
}

}  // namespace watchdog::discord_notify
