// Exports the ABI symbols but no Poco manifest.
#include <watchdog/Abi.h>

#include <Poco/ClassLibrary.h>

extern "C" POCO_LIBRARY_API int watchdogPluginAbiVersion() { return WATCHDOG_ABI_VERSION; }
extern "C" POCO_LIBRARY_API const char* watchdogPluginKind() { return "check"; }
