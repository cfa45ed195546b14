#pragma once

// A plugin declares its options once, in a table: configure() reads through it (DeclaredOptions),
// `encoder-watchdog plugins --options NAME` prints it, and a test compares it with the plugin's
// README. A plugin class exposes it as `static const watchdog::OptionTable& declaredOptions();` and
// the WATCHDOG_*_PLUGIN macro exports it (a plugin without one still loads; it declares nothing).

#include <watchdog/Abi.h>
#include <watchdog/Options.h>

#include <chrono>
#include <string>
#include <type_traits>
#include <vector>

namespace watchdog {

/// One option as the plugin's README lists it.
struct WATCHDOG_API OptionDeclaration {
    std::string name;          ///< the YAML key
    std::string type;          ///< "duration", "path", "integer", "list of names or globs", ...
    std::string defaultValue;  ///< the YAML value used when the key is absent; "" when there is none
    std::string whenAbsent;    ///< without a defaultValue: what absence means ("required", "off", ...)
    std::string range;         ///< allowed values ("> 0", "1..1000"); "a..b" bounds integer() and number()
    std::string example;       ///< a value as written in YAML (shown in backticks), or Markdown holding its own; "" for none
    std::string doc;           ///< one line: what the option does
};

/// A plugin's options, in the order its README lists them.
using OptionTable = std::vector<OptionDeclaration>;

/// The declaration of `name` in `table`, or nullptr.
WATCHDOG_API const OptionDeclaration* findDeclaration(const OptionTable& table, const std::string& name);

/// The README's options table for `table`: a header and one Markdown row per option
/// (`| \`name\` | type range | default | example | doc |`, default in backticks or the whenAbsent text).
WATCHDOG_API std::string renderOptionTable(const OptionTable& table);

/// One row of renderOptionTable() (without the trailing newline).
WATCHDOG_API std::string renderOptionRow(const OptionDeclaration& option);

/// A plugin's block read through its declarations. Every getter throws std::logic_error for a key
/// the table does not declare (a plugin bug that its tests catch). Getters without a fallback take a
/// declared defaultValue when the key is absent (and a declared "a..b" range for integer() and
/// number()); getters with a fallback throw std::logic_error when it differs from the declared
/// default, so code and table cannot drift. Errors in the YAML are Options' ConfigErrors.
class WATCHDOG_API DeclaredOptions {
public:
    /// Reads `options` through `table`; both must outlive this object.
    DeclaredOptions(const Options& options, const OptionTable& table);

    /// The block itself (for fail(), report(), child() and helpers that take Options).
    const Options& block() const { return options_; }
    /// True if the declared key is present with a non-empty value.
    bool has(const std::string& key) const;
    /// A string: required unless declared with a default.
    std::string string(const std::string& key) const;
    /// A string with the fallback the declaration names.
    std::string string(const std::string& key, const std::string& fallback) const;
    /// A secret (never logged): required unless declared with a default.
    std::string secret(const std::string& key) const;
    /// A secret with a fallback.
    std::string secret(const std::string& key, const std::string& fallback) const;
    /// A whole number within the declared "a..b" range (or [min, max] when given).
    long long integer(const std::string& key) const;
    /// A whole number in [min, max]: required unless declared with a default.
    long long integer(const std::string& key, long long min, long long max) const;
    /// A whole number with a fallback.
    long long integer(const std::string& key, long long fallback, long long min, long long max) const;
    /// A number within the declared "a..b" range.
    double number(const std::string& key) const;
    /// A number in [min, max]: required unless declared with a default.
    double number(const std::string& key, double min, double max) const;
    /// A number with a fallback.
    double number(const std::string& key, double fallback, double min, double max) const;
    /// A boolean: required unless declared with a default.
    bool boolean(const std::string& key) const;
    /// A boolean with a fallback.
    bool boolean(const std::string& key, bool fallback) const;
    /// A duration: required unless declared with a default.
    std::chrono::milliseconds duration(const std::string& key) const;
    /// A duration with a fallback.
    std::chrono::milliseconds duration(const std::string& key, std::chrono::milliseconds fallback) const;
    /// A byte size: required unless declared with a default.
    unsigned long long size(const std::string& key) const;
    /// A byte size with a fallback.
    unsigned long long size(const std::string& key, unsigned long long fallback) const;
    /// A list of strings; absent gives the declared default list ("[a, b]") or the fallback.
    std::vector<std::string> stringList(const std::string& key, const std::vector<std::string>& fallback = {}) const;
    /// A path resolved against the pipeline's folder: required unless declared with a default.
    std::string path(const std::string& key) const;
    /// A path with a fallback.
    std::string path(const std::string& key, const std::string& fallback) const;
    /// One of the allowed words; absent gives the declared default.
    std::string choice(const std::string& key, const std::vector<std::string>& allowed) const;
    /// One of the allowed words with a fallback.
    std::string choice(const std::string& key, const std::vector<std::string>& allowed, const std::string& fallback) const;
    /// A nested mapping (the key must be declared; its own keys are the plugin's business).
    Options child(const std::string& key) const;
    /// Throws ConfigError at the key (see Options::fail).
    [[noreturn]] void fail(const std::string& key, const std::string& message) const { options_.fail(key, message); }
    /// Records or throws a problem at the key (see Options::report).
    void report(const std::string& key, const std::string& message) const { options_.report(key, message); }

private:
    const OptionDeclaration& declared(const std::string& key) const;
    /// The declared default when there is one and the key is absent.
    const std::string* defaultFor(const std::string& key) const;
    template <class T, class Parse>
    T agreed(const std::string& key, T fallback, Parse parse) const;

    const Options& options_;
    const OptionTable& table_;
};

namespace declaration_detail {
template <class T, class = void>
struct DeclaresOptions : std::false_type {};
template <class T>
struct DeclaresOptions<T, std::void_t<decltype(T::declaredOptions())>> : std::true_type {};
}  // namespace declaration_detail

/// The table a plugin class declares, or nullptr (used by the WATCHDOG_*_PLUGIN macros).
template <class Class>
const OptionTable* declaredOptionsOf() {
    if constexpr (declaration_detail::DeclaresOptions<Class>::value)
        return &Class::declaredOptions();
    else
        return nullptr;
}

}  // namespace watchdog
