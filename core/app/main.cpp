#include <iostream>

#include "WatchdogApplication.h"

POCO_SERVER_MAIN(watchdog::WatchdogApplication)
