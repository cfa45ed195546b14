// Declares the right ABI and a manifest, but its kind function returns NULL: the loader must report it,
// naming the file, and never build a std::string from the null pointer.
#include <watchdog/Abi.h>
#include <watchdog/Check.h>

#include <Poco/ClassLibrary.h>

namespace {

class NullKindCheck : public watchdog::Check {
public:
    void configure(const watchdog::Options&) override {}
    watchdog::Result run(const watchdog::CheckContext&) override { return watchdog::Result::pass("unreachable"); }
};

}  // namespace

extern "C" POCO_LIBRARY_API int watchdogPluginAbiVersion() { return WATCHDOG_ABI_VERSION; }
extern "C" POCO_LIBRARY_API const char* watchdogPluginKind() { return nullptr; }

POCO_BEGIN_MANIFEST(watchdog::Check)
POCO_EXPORT_CLASS(NullKindCheck)
POCO_END_MANIFEST
