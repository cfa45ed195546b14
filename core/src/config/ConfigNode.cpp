#include "config/ConfigNode.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <unordered_map>
#include <sstream>

namespace watchdog {

const ConfigNode* ConfigNode::find(const std::string& key) const {
    const ConfigEntry* e = findEntry(key);
    return e ? e->value.get() : nullptr;
}

const ConfigEntry* ConfigNode::findEntry(const std::string& key) const {
    for (const auto& e : entries)
        if (e.key == key) return &e;
    return nullptr;
}

const char* ConfigNode::kindName() const {
    switch (kind) {
        case Kind::Null:
            return "empty";
        case Kind::Scalar:
            return "a value";
        case Kind::Sequence:
            return "a list";
        case Kind::Map:
            return "a mapping";
    }
    return "a value";
}

bool ConfigNode::isEmpty() const { return kind == Kind::Null || (kind == Kind::Scalar && value.empty()); }

namespace {

// Builds ConfigNodes from yaml-cpp's parser events, which (unlike YAML::Node) let us see duplicate
// keys and keep every position.
class TreeBuilder : public YAML::EventHandler {
public:
    TreeBuilder(std::string file, const std::string& text) : file_(std::move(file)), text_(text) {}

    ConfigNodePtr root() const { return root_; }

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto n = make(ConfigNode::Kind::Null, mark);
        remember(anchor, n);
        add(n);
    }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto it = anchors_.find(anchor);
        if (it == anchors_.end()) throw ConfigError(toMark(mark), "unknown alias");
        // `a: &x [*x]`: a node inside itself would never be freed (and never end when walked).
        for (const Frame& f : stack_)
            if (f.node == it->second) throw ConfigError(toMark(mark), "this alias refers to a mapping or list that contains it");
        add(it->second);
    }

    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
        // A plain ~ or null is YAML's null; a quoted "null" is the word.
        bool plain = tag == "?";
        auto n = make(ConfigNode::Kind::Scalar, mark);
        if (!plain) requireClosingQuote(mark);
        if (plain && (value == "~" || value == "null" || value == "Null" || value == "NULL")) {
            n->kind = ConfigNode::Kind::Null;
        } else {
            n->raw = value;
            n->value = value;
        }
        remember(anchor, n);
        add(n);
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
        auto n = make(ConfigNode::Kind::Sequence, mark);
        remember(anchor, n);
        add(n);
        enter(n, false);
    }

    void OnSequenceEnd() override { stack_.pop_back(); }

    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
        auto n = make(ConfigNode::Kind::Map, mark);
        remember(anchor, n);
        add(n);
        enter(n, true);
    }

    void OnMapEnd() override { stack_.pop_back(); }

private:
    struct Frame {
        ConfigNodePtr node;
        bool expectKey;
        ConfigNodePtr pendingKey;
        std::unordered_map<std::string, int> keyLines;  ///< keys seen so far (a map of 50k keys stays linear)
    };

    void enter(const ConfigNodePtr& n, bool isMap) {
        if (stack_.size() >= maxConfigDepth)
            throw ConfigError(n->mark, "nested deeper than " + std::to_string(maxConfigDepth) + " levels; a pipeline needs a handful");
        stack_.push_back({n, isMap, {}, {}});
    }

    SourceMark toMark(const YAML::Mark& m) const { return SourceMark{file_, m.line + 1, m.column + 1}; }

    // yaml-cpp 0.7 lets a quoted scalar without its closing quote run to the end of the file, which
    // silently swallows every block after it (PyYAML and libyaml refuse it).
    void requireClosingQuote(const YAML::Mark& mark) const {
        if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text_.size()) return;
        const std::size_t open = static_cast<std::size_t>(mark.pos);
        const char quote = text_[open];
        if (quote != '"' && quote != '\'') return;
        for (std::size_t i = open + 1; i < text_.size(); ++i) {
            if (quote == '"' && text_[i] == '\\')
                ++i;
            else if (text_[i] == quote && quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'')
                ++i;
            else if (text_[i] == quote)
                return;
        }
        throw ConfigError(toMark(mark), std::string("YAML syntax error: this quoted value has no closing ") + quote +
                                            " (it would run to the end of the file)");
    }

    ConfigNodePtr make(ConfigNode::Kind kind, const YAML::Mark& mark) const {
        auto n = std::make_shared<ConfigNode>();
        n->kind = kind;
        n->mark = toMark(mark);
        return n;
    }

    void remember(YAML::anchor_t anchor, const ConfigNodePtr& n) {
        if (anchor != YAML::NullAnchor) anchors_[anchor] = n;
    }

    void add(const ConfigNodePtr& n) {
        if (stack_.empty()) {
            root_ = n;
            return;
        }
        Frame& top = stack_.back();
        if (top.node->kind == ConfigNode::Kind::Sequence) {
            top.node->items.push_back(n);
            return;
        }
        if (top.expectKey) {
            if (n->kind != ConfigNode::Kind::Scalar)
                throw ConfigError(n->mark, "a key must be a plain word, not " + std::string(n->kindName()));
            if (auto [prior, fresh] = top.keyLines.emplace(n->raw, n->mark.line); !fresh)
                throw ConfigError(n->mark, "duplicate key '" + n->raw + "' (first given at line " + std::to_string(prior->second) + ")");
            top.pendingKey = n;
            top.expectKey = false;
            return;
        }
        n->keyMark = top.pendingKey->mark;
        top.node->entries.push_back(ConfigEntry{top.pendingKey->raw, top.pendingKey->mark, n});
        top.pendingKey.reset();
        top.expectKey = true;
    }

    std::string file_;
    const std::string& text_;
    ConfigNodePtr root_;
    std::vector<Frame> stack_;
    std::map<YAML::anchor_t, ConfigNodePtr> anchors_;
};

// `{ token: ${TOKEN} }` is the classic trap: in a flow mapping or list the `{` of ${VAR} ends the
// plain scalar. Point at the fix when the error sits on one.
std::string flowHint(const std::string& text, const YAML::Mark& mark) {
    // yaml-cpp's position can lie past the end of the text (after invalid UTF-8 bytes, seen by the fuzzer).
    if (mark.is_null() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) > text.size()) return "";
    const std::size_t from = static_cast<std::size_t>(mark.pos) >= 2 ? static_cast<std::size_t>(mark.pos) - 2 : 0;
    const std::size_t lineEnd = text.find('\n', from);
    const std::string around = text.substr(from, lineEnd == std::string::npos ? std::string::npos : lineEnd - from);
    if (around.find("${") == std::string::npos) return "";
    return " (inside { } or [ ], quote a ${VAR} value: \"${VAR}\")";
}

}  // namespace

ConfigNodePtr parseYaml(const std::string& text, const std::string& fileName) {
    std::istringstream in(text);
    TreeBuilder builder(fileName, text);
    try {
        YAML::Parser parser(in);
        parser.HandleNextDocument(builder);
        if (parser.HandleNextDocument(builder))
            throw ConfigError(SourceMark{fileName, 0, 0}, "more than one YAML document; keep one pipeline per file");
    } catch (const YAML::Exception& e) {
        SourceMark m{fileName, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1};
        throw ConfigError(m, "YAML syntax error: " + e.msg + flowHint(text, e.mark));
    }
    ConfigNodePtr root = builder.root();
    if (!root) {
        root = std::make_shared<ConfigNode>();
        root->mark = SourceMark{fileName, 1, 1};
    }
    return root;
}

std::string readConfigFile(const std::string& path, const std::string& what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw ConfigError(SourceMark{path, 0, 0}, "cannot read " + what + " (" + std::string(std::strerror(errno)) + ")");
    if (S_ISDIR(st.st_mode)) throw ConfigError(SourceMark{path, 0, 0}, "is a directory, not " + what);
    // A FIFO or a device would block or never end (validate on /dev/zero).
    if (!S_ISREG(st.st_mode)) throw ConfigError(SourceMark{path, 0, 0}, "is not a regular file; " + what + " must be one");
    if (static_cast<unsigned long long>(st.st_size) > maxConfigFileBytes)
        throw ConfigError(SourceMark{path, 0, 0}, "is " + std::to_string(st.st_size / 1024) + " KiB; " + what + " may have at most " +
                                                      std::to_string(maxConfigFileBytes / 1024) + " KiB");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(SourceMark{path, 0, 0}, "cannot read " + what + " (" + std::string(std::strerror(errno)) + ")");
    std::string text;
    text.resize(maxConfigFileBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > maxConfigFileBytes)
        throw ConfigError(SourceMark{path, 0, 0}, "grew past " + std::to_string(maxConfigFileBytes / 1024) + " KiB while being read");
    return text;
}

ConfigNodePtr parseYamlFile(const std::string& path) { return parseYaml(readConfigFile(path, "a pipeline file"), path); }

}  // namespace watchdog
