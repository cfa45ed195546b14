#include "migrate/ScriptSwitch.h"

#include "migrate/YamlText.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace watchdog {

ScriptSwitch readScriptSwitch(Migration& m, const char* key, const std::string& what) {
    ScriptSwitch s;
    s.entry = m.take({key});
    if (s.entry == nullptr) return s;
    s.on = s.entry->value == "True";
    std::string lower = s.entry->value;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static const std::set<std::string> yes = {"true", "1", "yes", "y", "on", "t"};
    if (!s.on && yes.count(lower) != 0)
        m.warn(whereIs(s.entry) + " is '" + s.entry->value + "': the old script compared it with 'True' exactly, so it treated '" +
               s.entry->value + "' as off; " + what + " stays off here (write " + key + "=True to turn it on)");
    return s;
}

std::string switchedOffNote(const ScriptSwitch& s, const std::string& dropped, const std::string& reason, int indent) {
    return Migration::commentsOf(s.entry, indent) +
           yamlComment("no " + dropped + ": " + s.entry->key + "=" + s.entry->value + " in the .env (" + reason + ")", indent);
}

}  // namespace watchdog
