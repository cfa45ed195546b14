#include "engine/RuleEngine.h"

namespace watchdog {

bool RuleEngine::adoptIncident(const std::string& rule, const std::string& incident, TimePoint opened, TimePoint deadline) {
    for (auto& r : rules_) {
        if (r.spec.id != rule || r.state.phase != RulePhase::Pending) continue;
        if (r.state.incident == incident && r.state.deadline == deadline) return false;
        r.state.incident = incident;
        r.state.opened = opened;
        r.state.deadline = deadline;
        return true;
    }
    return false;
}

}  // namespace watchdog
