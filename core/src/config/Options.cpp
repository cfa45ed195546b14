#include <watchdog/Options.h>

#include "common/Spelling.h"
#include "config/ConfigNode.h"
#include <watchdog/Duration.h>

#include <Poco/Path.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace watchdog {

namespace {
/// Runs a getter's body; where problems are collected, a ConfigError is recorded and `fallback` returned.
template <class T, class Body>
T orFallback(std::vector<ConfigError>* problems, T fallback, Body body) {
    if (problems == nullptr) return body();
    try {
        return body();
    } catch (const ConfigError& e) {
        problems->push_back(e);
        return fallback;
    }
}

/// Runs an optional getter through its required form; where that recorded a problem, `fallback`.
template <class T, class Body>
T orFallbackIfRecorded(std::vector<ConfigError>* problems, T fallback, Body body) {
    const std::size_t before = problems ? problems->size() : 0;
    T value = body();
    return problems && problems->size() > before ? fallback : value;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}
}  // namespace

Options::Options(std::shared_ptr<const ConfigNode> map, std::string where, std::string baseDirectory)
    : map_(std::move(map)),
      where_(std::move(where)),
      baseDirectory_(std::move(baseDirectory)),
      known_(std::make_shared<std::set<std::string>>()),
      children_(std::make_shared<std::vector<Options>>()) {
    if (!map_) map_ = std::make_shared<ConfigNode>();
}

Options::Options() : Options(nullptr, "", "") {}

const ConfigNode* Options::lookup(const std::string& key) const {
    known_->insert(key);
    const ConfigNode* n = map_->kind == ConfigNode::Kind::Map ? map_->find(key) : nullptr;
    // An unset ${VAR} is reported where it is substituted; here the key reads as absent.
    return n != nullptr && n->unresolved ? nullptr : n;
}

bool Options::has(const std::string& key) const {
    const ConfigNode* n = lookup(key);
    return n != nullptr && !n->isEmpty();
}

std::string Options::location(const std::string& key) const {
    if (map_->kind == ConfigNode::Kind::Map)
        if (const ConfigNode* n = map_->find(key)) return n->mark.toString();
    const SourceMark& m = map_->keyMark.line > 0 ? map_->keyMark : map_->mark;
    return m.toString();
}

void Options::fail(const std::string& key, const std::string& message) const {
    SourceMark m = map_->keyMark.line > 0 ? map_->keyMark : map_->mark;
    if (map_->kind == ConfigNode::Kind::Map)
        if (const ConfigNode* n = map_->find(key)) m = n->mark;
    std::string dotted = where_.empty() ? key : key.empty() ? where_ : where_ + "." + key;
    throw ConfigError(m, dotted + ": " + withoutSecrets(message));
}

namespace {
void collectSubstitutions(const ConfigNode& node, std::vector<std::pair<std::string, std::string>>& out, int depth) {
    out.insert(out.end(), node.substitutions.begin(), node.substitutions.end());
    if (depth > 8) return;
    for (const auto& item : node.items) collectSubstitutions(*item, out, depth + 1);
    for (const auto& e : node.entries) collectSubstitutions(*e.value, out, depth + 1);
}
}  // namespace

std::string Options::withoutSecrets(std::string message) const {
    std::vector<std::pair<std::string, std::string>> subs;
    collectSubstitutions(*map_, subs, 0);
    // Longest first, so a password inside a substituted URL goes with the URL; values of under four
    // characters (a port, a count) would turn every digit of a message into a variable name.
    std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    for (const auto& [value, written] : subs) {
        if (value.size() < 4) continue;
        for (std::size_t at = message.find(value); at != std::string::npos; at = message.find(value, at + written.size()))
            message.replace(at, value.size(), written);
    }
    return message;
}

void Options::report(const std::string& key, const std::string& message) const {
    orFallback(problems_.get(), 0, [&]() -> int { fail(key, message); });
}

const ConfigNode& Options::required(const std::string& key) const {
    const ConfigNode* n = lookup(key);
    if (n == nullptr) fail(key, "required option is missing");
    if (n->isEmpty()) fail(key, "must not be empty");
    if (n->kind != ConfigNode::Kind::Scalar) fail(key, std::string("expected a value, found ") + n->kindName());
    return *n;
}

std::string Options::display(const ConfigNode& node) const { return "'" + (node.fromEnvironment ? node.raw : node.value) + "'"; }

std::string Options::string(const std::string& key) const {
    return orFallback<std::string>(problems_.get(), {}, [&]() -> std::string { return required(key).value; });
}

std::string Options::string(const std::string& key, const std::string& fallback) const {
    return orFallback<std::string>(problems_.get(), fallback, [&]() -> std::string {
        const ConfigNode* n = lookup(key);
        if (n == nullptr || n->kind == ConfigNode::Kind::Null) return fallback;
        if (n->kind != ConfigNode::Kind::Scalar) fail(key, std::string("expected a value, found ") + n->kindName());
        return n->value;
    });
}

std::string Options::secret(const std::string& key) const { return string(key); }
std::string Options::secret(const std::string& key, const std::string& fallback) const { return string(key, fallback); }

long long Options::integer(const std::string& key, long long min, long long max) const {
    return orFallback<long long>(problems_.get(), std::max(min, std::min(0LL, max)), [&]() -> long long {
        const ConfigNode& n = required(key);
        const std::string& s = n.value;
        errno = 0;
        char* end = nullptr;
        long long v = std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || *end != '\0' || errno == ERANGE) fail(key, display(n) + " is not a whole number");
        if (v < min || v > max)
            fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " + display(n) + ")");
        return v;
    });
}

long long Options::integer(const std::string& key, long long fallback, long long min, long long max) const {
    const ConfigNode* n = lookup(key);
    if (n == nullptr || n->kind == ConfigNode::Kind::Null) return fallback;
    return orFallbackIfRecorded(problems_.get(), fallback, [&] { return integer(key, min, max); });
}

double Options::number(const std::string& key, double min, double max) const {
    return orFallback<double>(problems_.get(), std::max(min, std::min(0.0, max)), [&]() -> double {
        const ConfigNode& n = required(key);
        errno = 0;
        char* end = nullptr;
        double v = std::strtod(n.value.c_str(), &end);
        if (*end != '\0' || errno == ERANGE || v != v) fail(key, display(n) + " is not a number");
        if (v < min || v > max) {
            auto fmt = [](double d) {
                std::string t = std::to_string(d);
                t.erase(t.find_last_not_of('0') + 1);
                if (t.back() == '.') t.pop_back();
                return t;
            };
            fail(key, "must be between " + fmt(min) + " and " + fmt(max) + " (got " + display(n) + ")");
        }
        return v;
    });
}

double Options::number(const std::string& key, double fallback, double min, double max) const {
    const ConfigNode* n = lookup(key);
    if (n == nullptr || n->kind == ConfigNode::Kind::Null) return fallback;
    return orFallbackIfRecorded(problems_.get(), fallback, [&] { return number(key, min, max); });
}

bool Options::boolean(const std::string& key) const {
    return orFallback<bool>(problems_.get(), false, [&]() -> bool {
        const ConfigNode& n = required(key);
        std::string v = lower(n.value);
        if (v == "true" || v == "yes" || v == "on") return true;
        if (v == "false" || v == "no" || v == "off") return false;
        fail(key, display(n) + " is not a boolean (use true or false)");
    });
}

bool Options::boolean(const std::string& key, bool fallback) const {
    const ConfigNode* n = lookup(key);
    if (n == nullptr || n->kind == ConfigNode::Kind::Null) return fallback;
    return orFallbackIfRecorded(problems_.get(), fallback, [&] { return boolean(key); });
}

std::chrono::milliseconds Options::duration(const std::string& key) const {
    return orFallback<std::chrono::milliseconds>(problems_.get(), std::chrono::milliseconds(0), [&]() -> std::chrono::milliseconds {
        const ConfigNode& n = required(key);
        auto d = parseDuration(n.value);
        if (!d && isOverlongDuration(n.value))
            fail(key, display(n) + " is longer than the longest duration, " + formatDuration(maxDuration));
        if (!d) {
            bool bare = !n.value.empty() && std::all_of(n.value.begin(), n.value.end(), ::isdigit);
            fail(key, display(n) + (bare ? " has no unit (write " + n.value + "s or " + n.value + "ms)"
                                         : " is not a duration (use 500ms, 30s, 15m, 1h)"));
        }
        return *d;
    });
}

std::chrono::milliseconds Options::duration(const std::string& key, std::chrono::milliseconds fallback) const {
    const ConfigNode* n = lookup(key);
    if (n == nullptr || n->kind == ConfigNode::Kind::Null) return fallback;
    return orFallbackIfRecorded(problems_.get(), fallback, [&] { return duration(key); });
}

unsigned long long Options::size(const std::string& key) const {
    return orFallback<unsigned long long>(problems_.get(), 0ULL, [&]() -> unsigned long long {
        const ConfigNode& n = required(key);
        auto s = parseSize(n.value);
        if (!s) fail(key, display(n) + " is not a size (use 512K, 10M, 1G)");
        return *s;
    });
}

unsigned long long Options::size(const std::string& key, unsigned long long fallback) const {
    const ConfigNode* n = lookup(key);
    if (n == nullptr || n->kind == ConfigNode::Kind::Null) return fallback;
    return orFallbackIfRecorded(problems_.get(), fallback, [&] { return size(key); });
}

std::vector<std::string> Options::stringList(const std::string& key, const std::vector<std::string>& fallback) const {
    return orFallback<std::vector<std::string>>(problems_.get(), fallback, [&]() -> std::vector<std::string> {
        const ConfigNode* n = lookup(key);
        if (n == nullptr || n->kind == ConfigNode::Kind::Null) return fallback;
        if (n->kind == ConfigNode::Kind::Scalar) return {n->value};
        if (n->kind == ConfigNode::Kind::Map) fail(key, "expected a list, found a mapping");
        std::vector<std::string> out;
        for (const auto& item : n->items) {
            if (item->kind != ConfigNode::Kind::Scalar)
                throw ConfigError(item->mark,
                                  (where_.empty() ? key : where_ + "." + key) + ": list items must be values, found " + item->kindName());
            out.push_back(item->value);
        }
        return out;
    });
}

namespace {
std::string resolvePath(const std::string& base, const std::string& p) {
    if (p.empty() || p[0] == '/') return p;
    Poco::Path path(base.empty() ? "." : base);
    path.makeDirectory();
    path.append(Poco::Path(p));
    return path.toString();
}
}  // namespace

std::string Options::path(const std::string& key) const { return resolvePath(baseDirectory_, string(key)); }

std::string Options::path(const std::string& key, const std::string& fallback) const {
    std::string p = string(key, fallback);
    return p.empty() ? p : resolvePath(baseDirectory_, p);
}

std::string Options::choice(const std::string& key, const std::vector<std::string>& allowed, const std::string& fallback) const {
    return orFallback<std::string>(problems_.get(), fallback, [&]() -> std::string {
        std::string v = string(key, fallback);
        if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(key, "'" + v + "' is not one of: " + list + didYouMean(v, allowed));
    });
}

Options Options::child(const std::string& key) const {
    const ConfigNode* n = lookup(key);
    if (n != nullptr && n->kind != ConfigNode::Kind::Map && n->kind != ConfigNode::Kind::Null)
        report(key, std::string("expected a mapping, found ") + n->kindName());
    std::shared_ptr<const ConfigNode> node;
    if (n != nullptr && n->kind == ConfigNode::Kind::Map) {
        // Share ownership with the root: the child lives as long as this block does.
        node = std::shared_ptr<const ConfigNode>(map_, n);
    } else {
        auto empty = std::make_shared<ConfigNode>();
        empty->kind = ConfigNode::Kind::Map;
        empty->keyMark = map_->keyMark.line > 0 ? map_->keyMark : map_->mark;
        empty->mark = empty->keyMark;
        node = empty;
    }
    Options c(node, where_.empty() ? key : where_ + "." + key, baseDirectory_);
    c.problems_ = problems_;
    children_->push_back(c);
    return c;
}

Options Options::freshReading() const {
    Options fresh(map_, where_, baseDirectory_);
    fresh.collectProblems();
    return fresh;
}

void Options::markKnown(const std::vector<std::string>& keys) const { known_->insert(keys.begin(), keys.end()); }

void Options::rejectUnknownKeys() const {
    const std::vector<ConfigError> unknown = unknownKeys();
    if (!unknown.empty()) throw unknown.front();
}

void Options::collectProblems() {
    if (!problems_) problems_ = std::make_shared<std::vector<ConfigError>>();
}

std::vector<ConfigError> Options::recordedProblems() const { return problems_ ? *problems_ : std::vector<ConfigError>{}; }

std::vector<ConfigError> Options::unknownKeys(const SourceMark* before) const {
    auto placedBefore = [before](const SourceMark& m) {
        return before == nullptr || m.line < before->line || (m.line == before->line && m.column < before->column);
    };
    std::vector<ConfigError> out;
    if (map_->kind == ConfigNode::Kind::Map) {
        std::vector<std::string> known(known_->begin(), known_->end());
        for (const auto& e : map_->entries)
            if (!known_->count(e.key) && placedBefore(e.keyMark))
                out.emplace_back(e.keyMark, (where_.empty() ? "unknown top-level key '" : where_ + ": unknown option '") + e.key + "'" +
                                                didYouMean(e.key, known));
    }
    for (const auto& c : *children_) {
        std::vector<ConfigError> more = c.unknownKeys(before);
        out.insert(out.end(), more.begin(), more.end());
    }
    return out;
}

}  // namespace watchdog
