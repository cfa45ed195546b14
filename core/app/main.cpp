#include "Logging.h"
#include "WatchdogApplication.h"
#include "isolation/CheckRunner.h"
#include "isolation/CheckRunnerProtocol.h"

#include <Poco/Path.h>

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
    // glibc gives every thread that allocates an arena of its own (up to 8 per core); the daemon's
    // threads allocate little, and two arenas keep their heaps from fragmenting into many.
    mallopt(M_ARENA_MAX, 2);
    // Without TZ, glibc stats /etc/localtime on every local-time conversion: once per log line, and
    // up to 1440 times when the log file's daily rotation is set up (Poco steps to midnight a minute
    // at a time: 1.5-5 ms of the start). With TZ naming the same file it is read once. A new system
    // time zone then needs a restart, as for most daemons; a TZ the user set is kept.
    ::setenv("TZ", ":/etc/localtime", 0);
    // A check process of an `isolate: process` check: no application, no verbs, just the plugin.
    if (argc >= 2 && std::strcmp(argv[1], watchdog::checkRunnerVerb) == 0) return watchdog::runCheckRunner();
    if (int refused = watchdog::refuseNegativeLength(argc, argv); refused >= 0) return refused;
    // Messages from Poco's own option handling (unknown option, missing argument) go to stderr plainly.
    watchdog::configureConsoleLogging("information");
    try {
        watchdog::WatchdogApplication app(Poco::Path::current());
        return app.run(argc, argv);
    } catch (const Poco::Exception& e) {
        std::cerr << "encoder-watchdog: " << e.displayText() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "encoder-watchdog: " << e.what() << '\n';
        return 1;
    }
}
