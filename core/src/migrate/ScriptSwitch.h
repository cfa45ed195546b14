#pragma once

#include "migrate/Migration.h"

#include <string>

namespace watchdog {

/// One of the script's on/off settings (ENABLE_DISCORD_UPDATES, ENABLE_DB_LOGGING).
struct ScriptSwitch {
    bool on = true;                   ///< as the script read it
    const EnvEntry* entry = nullptr;  ///< the .env line, when there is one
};

/// Reads `key` exactly as the script's config.py did: `os.getenv(KEY, 'True') == 'True'`, so a
/// missing key is on and only the text True is on. A value people read as yes but the script read
/// as off ("true", "1", "yes", "on") stays off with a warning; `what` names the feature in it.
ScriptSwitch readScriptSwitch(Migration& m, const char* key, const std::string& what);

/// "# no NAME: KEY=VALUE in the .env (REASON)" plus the line's own comments, for a switch that is off.
std::string switchedOffNote(const ScriptSwitch& s, const std::string& dropped, const std::string& reason, int indent);

}  // namespace watchdog
