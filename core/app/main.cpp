#include "Logging.h"
#include "WatchdogApplication.h"
#include "isolation/CheckRunner.h"
#include "isolation/CheckRunnerProtocol.h"

#include <Poco/Path.h>

#include <malloc.h>

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
    // glibc gives every thread that allocates an arena of its own (up to 8 per core); the daemon's
    // threads allocate little, and two arenas keep their heaps from fragmenting into many.
    mallopt(M_ARENA_MAX, 2);
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
