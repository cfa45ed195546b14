#include <watchdog/CheckState.h>

namespace watchdog {

const char* toString(Health health) {
    switch (health) {
        case Health::Unknown:
            return "unknown";
        case Health::Passing:
            return "passing";
        case Health::Failing:
            return "failing";
    }
    return "unknown";
}

}  // namespace watchdog
