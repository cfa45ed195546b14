#pragma once

#include "config/Pipeline.h"

namespace watchdog {

/// Sends Poco logging to the console (unless `console` is false, as under --daemon) and to the
/// pipeline's log file, rotated daily, weekly or by size, keeping `keep` old files.
/// Throws std::runtime_error naming the file if it cannot be opened.
void configureLogging(const LogSettings& settings, bool console);

/// Console only, at `level` (for the short-lived verbs).
void configureConsoleLogging(const std::string& level);

}  // namespace watchdog
