#include "Logging.h"
#include "WatchdogApplication.h"

#include <Poco/Path.h>

#include <iostream>

int main(int argc, char** argv) {
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
