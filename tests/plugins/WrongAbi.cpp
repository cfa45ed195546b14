// Claims an ABI version from the future: the loader must refuse it before touching the manifest.
#include <Poco/ClassLibrary.h>

extern "C" POCO_LIBRARY_API int watchdogPluginAbiVersion() { return 999; }
extern "C" POCO_LIBRARY_API const char* watchdogPluginKind() { return "check"; }
