#include "config/Variables.h"

#include "config/EnvValue.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>
#include <unordered_set>

namespace watchdog {

namespace {

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void substituteScalar(ConfigNode& node, const VariableLookup& lookup) {
    const std::string& in = node.raw;
    if (in.find('$') == std::string::npos) return;
    std::string out;
    bool substituted = false;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '$' || i + 1 >= in.size()) {
            out += in[i];
            continue;
        }
        if (in[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        if (in[i + 1] != '{') {
            out += in[i];
            continue;
        }
        std::size_t close = in.find('}', i + 2);
        if (close == std::string::npos) throw ConfigError(node.mark, "unterminated ${ in '" + in + "'");
        std::string inner = in.substr(i + 2, close - i - 2);
        std::optional<std::string> fallback;
        if (auto dash = inner.find(":-"); dash != std::string::npos) {
            fallback = inner.substr(dash + 2);
            inner.resize(dash);
        }
        if (inner.empty() || !std::all_of(inner.begin(), inner.end(), isNameChar))
            throw ConfigError(node.mark, "'${" + inner + "}' is not a variable name (letters, digits and _)");
        std::optional<std::string> v = lookup(inner);
        if (!v || (v->empty() && fallback)) v = fallback;
        if (!v) throw ConfigError(node.mark, "${" + inner + "} is not set (export it, or put it in env_file)");
        out += *v;
        node.substitutions.emplace_back(*v, in.substr(i, close - i + 1));
        substituted = true;
        i = close;
    }
    node.value = out;
    node.fromEnvironment = substituted;
}

// An alias shares its anchor's node, so a node is visited once: an "alias bomb" of nested aliases
// would otherwise cost exponential time.
void walk(ConfigNode& node, const VariableLookup& lookup, std::vector<ConfigError>& problems,
          std::unordered_set<const ConfigNode*>& visited) {
    if (!visited.insert(&node).second) return;
    switch (node.kind) {
        case ConfigNode::Kind::Scalar:
            try {
                substituteScalar(node, lookup);
            } catch (const ConfigError& e) {
                node.unresolved = true;
                problems.push_back(e);
            }
            break;
        case ConfigNode::Kind::Sequence:
            for (auto& item : node.items) walk(*item, lookup, problems, visited);
            break;
        case ConfigNode::Kind::Map:
            for (auto& e : node.entries) walk(*e.value, lookup, problems, visited);
            break;
        case ConfigNode::Kind::Null:
            break;
    }
}

std::string trim(const std::string& s) {
    std::size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    std::size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<ConfigError> substituteVariables(ConfigNode& root, const VariableLookup& lookup) {
    std::vector<ConfigError> problems;
    std::unordered_set<const ConfigNode*> visited;
    walk(root, lookup, problems, visited);
    return problems;
}

std::map<std::string, std::string> readEnvFile(const std::string& path) {
    std::istringstream in(readConfigFile(path, "an env_file"));
    std::map<std::string, std::string> values;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        // A UTF-8 byte order mark (Windows editors) is not part of the first key.
        if (lineNo == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
        if (line.find('\0') != std::string::npos)
            throw ConfigError(SourceMark{path, lineNo, 1}, "contains a NUL byte: env_file must be a text file of KEY=VALUE lines");
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        if (t.rfind("export ", 0) == 0) t = trim(t.substr(7));
        auto eq = t.find('=');
        if (eq == std::string::npos || eq == 0) throw ConfigError(SourceMark{path, lineNo, 1}, "expected KEY=VALUE");
        std::string key = trim(t.substr(0, eq));
        if (!std::all_of(key.begin(), key.end(), isNameChar))
            throw ConfigError(SourceMark{path, lineNo, 1}, "'" + key + "' is not a variable name");
        const EnvValue parsed = parseEnvValue(t.substr(eq + 1));
        if (parsed.unterminated) throw ConfigError(SourceMark{path, lineNo, static_cast<int>(eq + 2)}, "unterminated quote in " + key);
        values[key] = parsed.value;
    }
    return values;
}

VariableLookup environmentThen(std::map<std::string, std::string> fileValues) {
    return [file = std::move(fileValues)](const std::string& name) -> std::optional<std::string> {
        if (const char* v = std::getenv(name.c_str())) return std::string(v);
        auto it = file.find(name);
        if (it != file.end()) return it->second;
        return std::nullopt;
    };
}

}  // namespace watchdog
