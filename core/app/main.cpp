#include "Logging.h"
#include "WatchdogApplication.h"
#include "isolation/CheckRunner.h"
#include "isolation/CheckRunnerProtocol.h"

#include <Poco/Path.h>

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
    // A check process of an `isolate: process` check: no application, no verbs, just the plugin.
    if (argc >= 2 && std::strcmp(argv[1], watchdog::checkRunnerVerb) == 0) return watchdog::runCheckRunner();
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
