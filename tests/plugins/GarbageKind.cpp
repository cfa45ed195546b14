// Declares a kind that is none of check, action or sink, with control characters in it: the loader
// must refuse it and show the text escaped.
#include <watchdog/Abi.h>

#include <Poco/ClassLibrary.h>

extern "C" POCO_LIBRARY_API int watchdogPluginAbiVersion() { return WATCHDOG_ABI_VERSION; }
extern "C" POCO_LIBRARY_API const char* watchdogPluginKind() { return "chec\x1b[2K\nk"; }
