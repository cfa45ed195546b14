#pragma once

// One line at the end of a plugin's source registers its class, e.g.
//     WATCHDOG_CHECK_PLUGIN(IcecastCheck)
// It exports the ABI version and kind as extern "C" functions (read by the loader before anything
// else), the class's option table when it declares one (watchdog/OptionTable.h) and a Poco manifest
// holding the class.

#include <watchdog/Abi.h>
#include <watchdog/Action.h>
#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>
#include <watchdog/Sink.h>

#include <Poco/ClassLibrary.h>

#define WATCHDOG_PLUGIN_INTERNAL(Base, kind, Class)                                                                                   \
    extern "C" POCO_LIBRARY_API int watchdogPluginAbiVersion() { return WATCHDOG_ABI_VERSION; }                                       \
    extern "C" POCO_LIBRARY_API const char* watchdogPluginKind() { return kind; }                                                     \
    extern "C" POCO_LIBRARY_API const watchdog::OptionTable* watchdogPluginOptions() { return watchdog::declaredOptionsOf<Class>(); } \
    POCO_BEGIN_MANIFEST(Base)                                                                                                         \
    POCO_EXPORT_CLASS(Class)                                                                                                          \
    POCO_END_MANIFEST

/// Registers a Check subclass as this library's plugin.
#define WATCHDOG_CHECK_PLUGIN(Class) WATCHDOG_PLUGIN_INTERNAL(watchdog::Check, "check", Class)
/// Registers an Action subclass as this library's plugin.
#define WATCHDOG_ACTION_PLUGIN(Class) WATCHDOG_PLUGIN_INTERNAL(watchdog::Action, "action", Class)
/// Registers a Sink subclass as this library's plugin.
#define WATCHDOG_SINK_PLUGIN(Class) WATCHDOG_PLUGIN_INTERNAL(watchdog::Sink, "sink", Class)
