#include "MessageRenderer.h"

#include <watchdog/HumanFormat.h>

#include <map>
#include <optional>

namespace watchdog::discord_notify {

namespace {

const CheckSnapshot* findCheck(const Event& event, const std::string& id) {
    for (const auto& c : event.checks)
        if (c.id == id) return &c;
    return nullptr;
}

std::string labelOf(const Event& event, const std::string& id) {
    const CheckSnapshot* c = findCheck(event, id);
    return c && !c->label.empty() ? c->label : id;
}

std::string labelsOf(const Event& event, const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ", ") + labelOf(event, id);
    return out;
}

const char* healthMark(const CheckSnapshot& c) {
    if (!c.hasResult || c.health == Health::Unknown) return "\xE2\x9D\x94";  // ❔
    return c.health == Health::Passing ? "\xE2\x9C\x85" : "\xE2\x9D\x8C";    // ✅ ❌
}

// "✅ passing · 1 source · 1 source connected": state, value, reason.
std::string checkLine(const CheckSnapshot& c) {
    std::string out = std::string(healthMark(c)) + " " + toString(c.health);
    if (!c.hasResult) return out + " · no result yet";
    if (c.last.status == Status::Error) out += " (error)";
    if (c.flapping) out += " \xF0\x9F\x94\x81 flapping";  // 🔁
    if (c.last.value) out += " · " + human::quantity(*c.last.value, c.last.unit);
    if (!c.last.summary.empty()) out += " · " + c.last.summary;
    return out;
}

std::string footerFor(const Event& event) { return event.pipeline.empty() ? "encoder-watchdog" : "encoder-watchdog · " + event.pipeline; }

Embed baseEmbed(const Event& event, std::string title, int color) {
    Embed e;
    e.title = std::move(title);
    e.color = color;
    if (event.time != TimePoint{}) e.timestamp = toIso8601(event.time);
    e.footer = footerFor(event);
    return e;
}

void addFailingFields(Embed& e, const Event& event) {
    for (const auto& id : event.failing) {
        const CheckSnapshot* c = findCheck(event, id);
        e.fields.push_back({labelOf(event, id), c ? checkLine(*c) : "failing", false});
    }
}

long long epochSeconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

Embed statusEmbed(const Event& event) {
    std::size_t failing = 0, unknown = 0;
    for (const auto& c : event.checks) {
        if (!c.hasResult || c.health == Health::Unknown)
            ++unknown;
        else if (c.health == Health::Failing)
            ++failing;
    }
    const std::size_t n = event.checks.size();
    int color = colors::green;
    std::string line;
    if (failing > 0) {
        color = colors::red;
        line = n == 1 ? "The check is failing" : std::to_string(failing) + " of " + std::to_string(n) + " checks failing";
    } else if (unknown == n) {
        color = colors::grey;
        line = n == 0 ? "No checks configured" : "No results yet";
    } else {
        line = unknown > 0 ? std::to_string(n - unknown) + " of " + std::to_string(n) + " checks passing, " + std::to_string(unknown) +
                                 " without results yet"
               : n == 1 ? "The check is passing"
                        : "All " + std::to_string(n) + " checks passing";
    }
    Embed e = baseEmbed(event, event.summary.empty() ? "Status report" : event.summary, color);
    e.description = line;
    for (const auto& c : event.checks) e.fields.push_back({c.label.empty() ? c.id : c.label, checkLine(c), false});
    return e;
}

Embed warningEmbed(const Event& event) {
    Embed e = baseEmbed(event, "\xE2\x9A\xA0\xEF\xB8\x8F Encoder problem: failover countdown started", colors::orange);
    e.description = event.summary;
    if (!event.failing.empty()) e.description += "\nFailing: " + labelsOf(event, event.failing);
    if (event.deadline) {
        // <t:EPOCH:R> renders as a live "in 5 minutes" countdown in every reader's client.
        const long long at = epochSeconds(*event.deadline);
        e.description +=
            "\nThe backup starts <t:" + std::to_string(at) + ":R> (at " + toLocalSeconds(*event.deadline) + ") unless the checks recover.";
    }
    addFailingFields(e, event);
    return e;
}

std::string outcomeTitle(const Event& event) {
    const std::string who = event.action.empty() ? "remedy" : event.action;
    if (isDryRun(event))
        return event.ok ? "\xF0\x9F\xA7\xAA Remedy " + who + ": dry run, nothing changed"  // 🧪
                        : "\xE2\x9D\x8C Remedy " + who + ": dry run failed, nothing changed";
    return event.ok ? "\xE2\x9C\x85 Remedy " + who + " succeeded" : "\xE2\x9D\x8C Remedy " + who + " failed";
}

int outcomeColor(const Event& event) {
    if (!event.ok) return colors::red;
    return isDryRun(event) ? colors::grey : colors::green;
}

Embed outcomeEmbed(const Event& event) {
    Embed e = baseEmbed(event, outcomeTitle(event), outcomeColor(event));
    e.description = event.summary;
    for (const auto& [key, value] : event.details)
        if (!value.empty()) e.fields.push_back({key, value, true});
    if (event.duration) e.fields.push_back({"took", human::duration(*event.duration), true});
    return e;
}

Embed limitedEmbed(const Event& event) {
    Embed e = baseEmbed(event, "\xE2\x9B\x94 Failover held back: remedy limit reached", colors::red);  // ⛔
    e.description = event.summary;
    if (event.deadline) {
        const long long at = epochSeconds(*event.deadline);
        e.description += "\nThe remedies may run again <t:" + std::to_string(at) + ":R> (at " + toLocalSeconds(*event.deadline) +
                         ") if the checks still fail.";
    }
    addFailingFields(e, event);
    return e;
}

// "backup on air after 1 min 40 s" or the escalation "backup started but not on air", with the
// address the remedy reported (aws_start's public_ip/private_ip) so people can look at it.
Embed verifyEmbed(const Event& event) {
    const bool ok = event.type == EventType::Verified;
    Embed e = baseEmbed(event, ok ? "\xF0\x9F\x93\xA1 Backup on air" : "\xF0\x9F\x9A\xA8 Backup started but not on air",  // 📡 🚨
                        ok ? colors::green : colors::red);
    e.description = event.summary;
    if (ok && event.duration) e.fields.push_back({"On air after", human::duration(*event.duration), true});
    for (const auto& [key, value] : event.details)
        if (!value.empty() && (key == "instance_id" || key == "public_ip" || key == "private_ip")) e.fields.push_back({key, value, true});
    addFailingFields(e, event);
    return e;
}

// An embed that shows the event's summary under `title`.
Embed summaryEmbed(const Event& event, std::string title, int color) {
    Embed e = baseEmbed(event, std::move(title), color);
    e.description = event.summary;
    return e;
}

// A summary embed that also lists the failing checks.
Embed failingSummaryEmbed(const Event& event, std::string title, int color) {
    Embed e = summaryEmbed(event, std::move(title), color);
    addFailingFields(e, event);
    return e;
}

std::string checkLabelOf(const Event& event) { return event.checkId.empty() ? "a check" : labelOf(event, event.checkId); }

Embed recoveredEmbed(const Event& event) {
    Embed e = summaryEmbed(event, "\xE2\x9C\x85 Recovered", colors::green);
    if (event.duration) e.fields.push_back({"Outage", human::duration(*event.duration), true});
    return e;
}

Embed flappingEmbed(const Event& event) {
    const std::string label = checkLabelOf(event);
    const bool flapping = event.type == EventType::Flapping;
    Embed e = summaryEmbed(event, flapping ? "\xF0\x9F\x94\x81 Flapping: " + label : "\xE2\x9C\x85 Stable again: " + label,  // 🔁
                           flapping ? colors::orange : colors::green);
    if (const CheckSnapshot* c = findCheck(event, event.checkId)) e.fields.push_back({label, checkLine(*c), false});
    return e;
}

// Maintenance started or ended, or an incident acknowledged: who did it, why, and until when.
Embed maintenanceEmbed(const Event& event) {
    static const std::map<EventType, const char*> titles{{EventType::MaintenanceStarted, "\xF0\x9F\x94\xA7 Maintenance started"},  // 🔧
                                                         {EventType::MaintenanceEnded, "\xE2\x9C\x85 Maintenance ended"},
                                                         {EventType::Acknowledged, "\xF0\x9F\x91\x80 Incident acknowledged"}};  // 👀
    Embed e = summaryEmbed(event, titles.at(event.type), event.type == EventType::MaintenanceStarted ? colors::grey : colors::green);
    for (const auto& [key, value] : event.details)
        if (!value.empty() && (key == "by" || key == "reason")) e.fields.push_back({key == "by" ? "By" : "Reason", value, true});
    if (event.type == EventType::MaintenanceStarted && event.deadline) e.fields.push_back({"Until", toLocalSeconds(*event.deadline), true});
    if (event.type == EventType::MaintenanceEnded) addFailingFields(e, event);
    return e;
}

// The embed that shows `event`; none for the events shown as a plain line (start-up, shutdown).
std::optional<Embed> eventEmbed(const Event& event) {
    switch (event.type) {
        case EventType::Startup:
        case EventType::Shutdown:
            return std::nullopt;
        case EventType::Status:
            return statusEmbed(event);
        case EventType::Warning:
            return warningEmbed(event);
        case EventType::Cancelled:
            return summaryEmbed(event, "\xE2\x9C\x85 Failover cancelled", colors::green);
        case EventType::Failover:
            return failingSummaryEmbed(event, "\xF0\x9F\x9A\xA8 Failover: starting the backup", colors::red);
        case EventType::Outcome:
            return outcomeEmbed(event);
        case EventType::Recovered:
            return recoveredEmbed(event);
        case EventType::CheckError:
            return summaryEmbed(event, "\xE2\x9D\x97 Check error: " + checkLabelOf(event), colors::red);
        case EventType::Limited:
            return limitedEmbed(event);
        case EventType::Verified:
        case EventType::NotVerified:
            return verifyEmbed(event);
        case EventType::Failback:
            return summaryEmbed(event, "\xE2\x86\xA9\xEF\xB8\x8F Failing back to the primary", colors::green);  // ↩️
        case EventType::FailbackCancelled:
            return failingSummaryEmbed(event, "\xE2\x9A\xA0\xEF\xB8\x8F Failback cancelled: failing again, the backup stays on",
                                       colors::orange);
        case EventType::Flapping:
        case EventType::Stable:
            return flappingEmbed(event);
        case EventType::MaintenanceStarted:
        case EventType::MaintenanceEnded:
        case EventType::Acknowledged:
            return maintenanceEmbed(event);
    }
    return std::nullopt;
}

// The moments that must ring a phone: the countdown, the failover, a remedy held back by its
// limit, and a backup that did not reach the air.
void addPing(Message& m, const Event& event, const RenderSettings& settings) {
    static const std::map<EventType, const char*> pings{{EventType::Warning, "encoder problem, failover countdown started"},
                                                        {EventType::Failover, "failover started"},
                                                        {EventType::Limited, "failover held back by its limit"},
                                                        {EventType::NotVerified, "backup started but not on air"}};
    const std::string ping = settings.mentionRole.empty() ? "" : "<@&" + settings.mentionRole + "> ";
    if (auto it = pings.find(event.type); !ping.empty() && it != pings.end()) {
        m.content = ping + it->second;
        m.mentionRoles.push_back(settings.mentionRole);
    }
}

}  // namespace

std::string startupLine(TimePoint time) {
    return "The monitoring bot has restarted at " + toLocalSeconds(time) + " and is now actively monitoring.";
}

Message render(const Event& event, const RenderSettings& settings) {
    Message m;
    m.username = settings.username;
    m.avatarUrl = settings.avatarUrl;
    if (event.type == EventType::Startup) m.content = startupLine(event.time);
    if (event.type == EventType::Shutdown)
        m.content = event.summary.empty() ? "The monitoring bot is stopping at " + toLocalSeconds(event.time) + "." : event.summary;
    if (auto embed = eventEmbed(event)) m.embeds.push_back(std::move(*embed));
    addPing(m, event, settings);
    return m;
}

}  // namespace watchdog::discord_notify
