#include <watchdog/OptionTable.h>

namespace watchdog {

const OptionDeclaration* findDeclaration(const OptionTable& table, const std::string& name) {
    for (const auto& option : table)
        if (option.name == name) return &option;
    return nullptr;
}

namespace {
std::string code(const std::string& text) { return text.empty() ? std::string() : "`" + text + "`"; }
}  // namespace

std::string renderOptionRow(const OptionDeclaration& option) {
    const std::string type = option.range.empty() ? option.type : option.type + " " + option.range;
    const std::string fallback = option.defaultValue.empty() ? option.whenAbsent : code(option.defaultValue);
    const std::string example = option.example.find('`') == std::string::npos ? code(option.example) : option.example;
    return "| " + code(option.name) + " | " + type + " | " + fallback + " | " + example + " | " + option.doc + " |";
}

std::string renderOptionTable(const OptionTable& table) {
    std::string out = "| option | type | default | example | meaning |\n|---|---|---|---|---|\n";
    for (const auto& option : table) out += renderOptionRow(option) + "\n";
    return out;
}

}  // namespace watchdog
