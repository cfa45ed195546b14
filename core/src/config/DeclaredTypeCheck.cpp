#include "config/DeclaredTypeCheck.h"

#include "config/DeclaredRange.h"

#include <algorithm>
#include <cctype>

namespace watchdog {

namespace {
/// The first word of a declared type, lower case: "integer Hz, 8000 to 384000" is "integer".
std::string typeWord(const std::string& type) {
    std::string word;
    for (char c : type) {
        if (!std::isalpha(static_cast<unsigned char>(c))) break;
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return word;
}
}  // namespace

std::vector<ConfigError> checkDeclaredTypes(const Options& block, const OptionTable& table) {
    const Options fresh = block.freshReading();
    for (const auto& d : table) {
        if (!fresh.has(d.name)) {
            if (d.defaultValue.empty() && d.whenAbsent == "required") fresh.string(d.name);
            continue;
        }
        const std::string word = typeWord(d.type);
        if (word == "duration")
            fresh.duration(d.name);
        else if (word == "integer") {
            const auto [min, max] = declaredBounds(d.range, kWholeIntegerRange);
            fresh.integer(d.name, min, max);
        } else if (word == "number") {
            const auto [min, max] = declaredBounds(d.range, kWholeNumberRange);
            fresh.number(d.name, min, max);
        } else if (word == "size")
            fresh.size(d.name);
        else if (word == "bool" || word == "boolean")
            fresh.boolean(d.name);
        else if (word == "list")
            fresh.stringList(d.name);
        else if (word == "string" || word == "path" || word == "secret")
            fresh.string(d.name, "");
    }
    return fresh.recordedProblems();
}

}  // namespace watchdog
