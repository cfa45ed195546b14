#include "http/HaMetrics.h"

#include <sstream>

namespace watchdog {

namespace {

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

// Prometheus label values: backslash, quote and newline escaped.
std::string label(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

std::string haMetricsText(const HaStatus& ha) {
    std::ostringstream out;
    const std::string labels = "{node=\"" + label(ha.node) + "\",leader=\"" + label(ha.leader) + "\"}";
    const auto family = [&](const char* name, const char* help) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n";
    };
    family("watchdog_ha_leader", "1 if this node holds the HA lease.");
    out << "watchdog_ha_leader" << labels << ' ' << (ha.leading ? 1 : 0) << '\n';
    family("watchdog_ha_may_act", "1 if this node notifies and runs remedies now (the lease, or when_db_down: act).");
    out << "watchdog_ha_may_act" << labels << ' ' << (ha.mayAct ? 1 : 0) << '\n';
    family("watchdog_ha_lease_token", "The lease's fencing token as last read.");
    out << "watchdog_ha_lease_token" << labels << ' ' << ha.token << '\n';
    if (ha.leaseAge) {
        family("watchdog_ha_lease_age_seconds", "Time since the lease holder last renewed it.");
        out << "watchdog_ha_lease_age_seconds" << labels << ' ' << seconds(*ha.leaseAge) << '\n';
    }
    family("watchdog_ha_database_up", "1 if the last lease round reached the database.");
    out << "watchdog_ha_database_up" << labels << ' ' << (ha.databaseUp ? 1 : 0) << '\n';
    return out.str();
}

}  // namespace watchdog
