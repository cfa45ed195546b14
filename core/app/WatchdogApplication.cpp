#include "WatchdogApplication.h"

namespace watchdog {

int WatchdogApplication::main(const ArgVec&) { return EXIT_OK; }

}  // namespace watchdog
