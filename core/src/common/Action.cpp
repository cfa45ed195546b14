#include <watchdog/Action.h>

namespace watchdog {

Outcome Outcome::success(std::string summary, Details details) { return Outcome{true, std::move(summary), std::move(details)}; }
Outcome Outcome::failure(std::string summary, Details details) { return Outcome{false, std::move(summary), std::move(details)}; }

}  // namespace watchdog
