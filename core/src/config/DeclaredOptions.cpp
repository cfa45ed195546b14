#include <watchdog/OptionTable.h>

#include "config/DeclaredRange.h"
#include <watchdog/Duration.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace watchdog {

namespace {

[[noreturn]] void badDefault(const Options& options, const OptionDeclaration& d, const std::string& why) {
    throw std::logic_error(options.where() + "." + d.name + ": the declared default '" + d.defaultValue + "' " + why);
}

bool parseBoolean(const std::string& text, bool& out) {
    if (text == "true" || text == "yes" || text == "on") return out = true, true;
    if (text == "false" || text == "no" || text == "off") return out = false, true;
    return false;
}

std::vector<std::string> parseList(const std::string& text) {
    if (text.size() < 2 || text.front() != '[' || text.back() != ']') return {text};
    std::vector<std::string> out;
    std::istringstream in(text.substr(1, text.size() - 2));
    for (std::string item; std::getline(in, item, ',');) {
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

}  // namespace

DeclaredOptions::DeclaredOptions(const Options& options, const OptionTable& table) : options_(options), table_(table) {}

const OptionDeclaration& DeclaredOptions::declared(const std::string& key) const {
    if (const OptionDeclaration* d = findDeclaration(table_, key)) return *d;
    throw std::logic_error(options_.where() + ": the plugin reads option '" + key + "' but does not declare it");
}

const std::string* DeclaredOptions::defaultFor(const std::string& key) const {
    const OptionDeclaration& d = declared(key);
    return d.defaultValue.empty() || options_.has(key) ? nullptr : &d.defaultValue;
}

template <class T, class Parse>
T DeclaredOptions::agreed(const std::string& key, T fallback, Parse parse) const {
    const OptionDeclaration& d = declared(key);
    if (!d.defaultValue.empty()) {
        T value{};
        if (!parse(d.defaultValue, value)) badDefault(options_, d, "is not a value of its type");
        if (!(value == fallback)) badDefault(options_, d, "differs from the plugin's own");
    }
    return fallback;
}

namespace {
bool asString(const std::string& t, std::string& out) { return out = t, true; }
bool asInteger(const std::string& t, long long& out) {
    char* end = nullptr;
    out = std::strtoll(t.c_str(), &end, 10);
    return !t.empty() && *end == '\0';
}
bool asNumber(const std::string& t, double& out) {
    char* end = nullptr;
    out = std::strtod(t.c_str(), &end);
    return !t.empty() && *end == '\0';
}
bool asDuration(const std::string& t, std::chrono::milliseconds& out) {
    const auto d = parseDuration(t);
    return d ? (out = *d, true) : false;
}
bool asSize(const std::string& t, unsigned long long& out) {
    const auto s = parseSize(t);
    return s ? (out = *s, true) : false;
}
bool asList(const std::string& t, std::vector<std::string>& out) { return out = parseList(t), true; }
}  // namespace

bool DeclaredOptions::has(const std::string& key) const {
    declared(key);
    return options_.has(key);
}

std::string DeclaredOptions::string(const std::string& key) const {
    const std::string* d = defaultFor(key);
    return d ? options_.string(key, *d) : options_.string(key);
}

std::string DeclaredOptions::string(const std::string& key, const std::string& fallback) const {
    return options_.string(key, agreed(key, fallback, asString));
}

std::string DeclaredOptions::secret(const std::string& key) const {
    const std::string* d = defaultFor(key);
    return d ? options_.secret(key, *d) : options_.secret(key);
}

std::string DeclaredOptions::secret(const std::string& key, const std::string& fallback) const {
    return options_.secret(key, agreed(key, fallback, asString));
}

long long DeclaredOptions::integer(const std::string& key) const {
    const auto [min, max] = declaredBounds(declared(key).range, kWholeIntegerRange);
    return integer(key, min, max);
}

long long DeclaredOptions::integer(const std::string& key, long long min, long long max) const {
    const std::string* d = defaultFor(key);
    long long fallback = 0;
    if (d && !asInteger(*d, fallback)) badDefault(options_, declared(key), "is not a whole number");
    return d ? options_.integer(key, fallback, min, max) : options_.integer(key, min, max);
}

long long DeclaredOptions::integer(const std::string& key, long long fallback, long long min, long long max) const {
    return options_.integer(key, agreed(key, fallback, asInteger), min, max);
}

double DeclaredOptions::number(const std::string& key) const {
    const auto [min, max] = declaredBounds(declared(key).range, kWholeNumberRange);
    return number(key, min, max);
}

double DeclaredOptions::number(const std::string& key, double min, double max) const {
    const std::string* d = defaultFor(key);
    double fallback = 0;
    if (d && !asNumber(*d, fallback)) badDefault(options_, declared(key), "is not a number");
    return d ? options_.number(key, fallback, min, max) : options_.number(key, min, max);
}

double DeclaredOptions::number(const std::string& key, double fallback, double min, double max) const {
    return options_.number(key, agreed(key, fallback, asNumber), min, max);
}

bool DeclaredOptions::boolean(const std::string& key) const {
    const std::string* d = defaultFor(key);
    bool fallback = false;
    if (d && !parseBoolean(*d, fallback)) badDefault(options_, declared(key), "is not a boolean");
    return d ? options_.boolean(key, fallback) : options_.boolean(key);
}

bool DeclaredOptions::boolean(const std::string& key, bool fallback) const {
    return options_.boolean(key, agreed(key, fallback, parseBoolean));
}

std::chrono::milliseconds DeclaredOptions::duration(const std::string& key) const {
    const std::string* d = defaultFor(key);
    std::chrono::milliseconds fallback{0};
    if (d && !asDuration(*d, fallback)) badDefault(options_, declared(key), "is not a duration");
    return d ? options_.duration(key, fallback) : options_.duration(key);
}

std::chrono::milliseconds DeclaredOptions::duration(const std::string& key, std::chrono::milliseconds fallback) const {
    return options_.duration(key, agreed(key, fallback, asDuration));
}

unsigned long long DeclaredOptions::size(const std::string& key) const {
    const std::string* d = defaultFor(key);
    unsigned long long fallback = 0;
    if (d && !asSize(*d, fallback)) badDefault(options_, declared(key), "is not a size");
    return d ? options_.size(key, fallback) : options_.size(key);
}

unsigned long long DeclaredOptions::size(const std::string& key, unsigned long long fallback) const {
    return options_.size(key, agreed(key, fallback, asSize));
}

std::vector<std::string> DeclaredOptions::stringList(const std::string& key, const std::vector<std::string>& fallback) const {
    const OptionDeclaration& d = declared(key);
    if (d.defaultValue.empty() || !fallback.empty()) return options_.stringList(key, agreed(key, fallback, asList));
    return options_.stringList(key, parseList(d.defaultValue));
}

std::string DeclaredOptions::path(const std::string& key) const {
    const std::string* d = defaultFor(key);
    return d ? options_.path(key, *d) : options_.path(key);
}

std::string DeclaredOptions::path(const std::string& key, const std::string& fallback) const {
    return options_.path(key, agreed(key, fallback, asString));
}

std::string DeclaredOptions::choice(const std::string& key, const std::vector<std::string>& allowed) const {
    return options_.choice(key, allowed, declared(key).defaultValue);
}

std::string DeclaredOptions::choice(const std::string& key, const std::vector<std::string>& allowed, const std::string& fallback) const {
    return options_.choice(key, allowed, agreed(key, fallback, asString));
}

Options DeclaredOptions::child(const std::string& key) const {
    declared(key);
    return options_.child(key);
}

}  // namespace watchdog
