// Needs a symbol no library provides: dlopen with immediate binding must fail with "undefined symbol".
#include <watchdog/Abi.h>

extern "C" int watchdogFunctionThatDoesNotExist();
extern "C" int watchdogPluginAbiVersion() { return watchdogFunctionThatDoesNotExist(); }
