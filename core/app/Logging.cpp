#include "Logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/File.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/PatternFormatter.h>
#include <Poco/SplitterChannel.h>

#include <cctype>
#include <stdexcept>

namespace watchdog {

namespace {

Poco::AutoPtr<Poco::PatternFormatter> formatter() {
    Poco::AutoPtr<Poco::PatternFormatter> f(new Poco::PatternFormatter("%Y-%m-%d %H:%M:%S.%i %q %s: %t"));
    f->setProperty("times", "local");
    return f;
}

// Poco's FileChannel says "daily"/"weekly" for time rotation and "<n> M" for size; users write 10M.
std::string pocoRotation(const std::string& rotation) {
    if (rotation == "daily") return "00:00";  // at local midnight; Poco's "daily" counts 24h from the file's creation
    if (rotation == "weekly" || rotation == "never") return rotation;
    std::string digits, unit;
    for (char c : rotation) {
        if (std::isdigit(static_cast<unsigned char>(c)))
            digits += c;
        else if (!std::isspace(static_cast<unsigned char>(c)))
            unit += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (unit == "B") unit.clear();
    if (unit == "KB" || unit == "KIB") unit = "K";
    if (unit == "MB" || unit == "MIB") unit = "M";
    return digits + (unit.empty() ? "" : " " + unit);
}

}  // namespace

void configureConsoleLogging(const std::string& level) {
    Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel);
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter(), console));
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::root().setLevel(level);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
}

void configureLogging(const LogSettings& settings, bool console) {
    Poco::AutoPtr<Poco::SplitterChannel> splitter(new Poco::SplitterChannel);
    if (console && settings.console) {
        Poco::AutoPtr<Poco::ConsoleChannel> c(new Poco::ConsoleChannel);
        splitter->addChannel(new Poco::FormattingChannel(formatter(), c));
    }
    if (!settings.file.empty()) {
        try {
            Poco::File(Poco::Path(settings.file).parent()).createDirectories();
            Poco::AutoPtr<Poco::FileChannel> file(new Poco::FileChannel(settings.file));
            file->setProperty("rotation", pocoRotation(settings.rotation));
            file->setProperty("archive", "timestamp");
            file->setProperty("times", "local");
            file->setProperty("purgeCount", std::to_string(settings.keep));
            file->setProperty("flush", "true");
            file->open();
            splitter->addChannel(new Poco::FormattingChannel(formatter(), file));
        } catch (const Poco::Exception& e) {
            throw std::runtime_error("cannot open the log file " + settings.file + ": " + e.displayText());
        }
    }
    Poco::Logger::root().setChannel(splitter);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(settings.level));
}

}  // namespace watchdog
