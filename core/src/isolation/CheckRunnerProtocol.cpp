#include "isolation/CheckRunnerProtocol.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace watchdog {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Array::Ptr markToJson(const SourceMark& m) {
    Array::Ptr a = new Array;
    a->add(m.file);
    a->add(m.line);
    a->add(m.column);
    return a;
}

// Pairs of strings (details, labels, substitutions) as [[a, b], ...].
template <typename Pairs>
Array::Ptr pairsToJson(const Pairs& pairs) {
    Array::Ptr out = new Array;
    for (const auto& [first, second] : pairs) {
        Array::Ptr pair = new Array;
        pair->add(first);
        pair->add(second);
        out->add(pair);
    }
    return out;
}

// [[a, b], ...] back into pairs; `what` names an element in the error ("malformed detail").
std::vector<std::pair<std::string, std::string>> pairsFromJson(const Array::Ptr& array, const std::string& what) {
    std::vector<std::pair<std::string, std::string>> out;
    for (std::size_t i = 0; array && i < array->size(); ++i) {
        const Array::Ptr pair = array->getArray(i);
        if (!pair || pair->size() != 2) throw std::runtime_error("malformed " + what);
        out.emplace_back(pair->getElement<std::string>(0), pair->getElement<std::string>(1));
    }
    return out;
}

SourceMark markFromJson(const Array::Ptr& a) {
    if (!a || a->size() != 3) throw std::runtime_error("malformed source mark");
    return SourceMark{a->getElement<std::string>(0), a->getElement<int>(1), a->getElement<int>(2)};
}

Object::Ptr member(const Object& o, const std::string& key) {
    Object::Ptr m = o.getObject(key);
    if (!m) throw std::runtime_error("expected a '" + key + "' object");
    return m;
}

std::string valueText(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/// Length of the valid UTF-8 sequence at text[i], or 0 if the byte there does not start one.
std::size_t utf8Length(const std::string& text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
    const unsigned c = byte(i);
    const auto continuation = [&](std::size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return continuation(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        const unsigned c1 = byte(i + 1);
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;  // overlong, surrogate
        return continuation(i + 1) && continuation(i + 2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        const unsigned c1 = byte(i + 1);
        if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return 0;  // overlong, past U+10FFFF
        return continuation(i + 1) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
    }
    return 0;
}

}  // namespace

std::string toLine(const Object& message) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(message, out, 0);
    // The parser takes only UTF-8, and a plugin may return any bytes. Outside strings the text is
    // ASCII, so a byte that is not UTF-8 is inside a string: it travels as the text \xNN.
    const std::string raw = out.str();
    std::string line;
    line.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size();) {
        if (const std::size_t n = utf8Length(raw, i); n > 0) {
            line.append(raw, i, n);
            i += n;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            const auto b = static_cast<unsigned char>(raw[i++]);
            line += "\\\\x";
            line += hex[b >> 4];
            line += hex[b & 0xF];
        }
    }
    return line;
}

Object::Ptr parseLine(const std::string& line) {
    Poco::JSON::Parser parser;
    Object::Ptr o;
    try {
        o = parser.parse(line).extract<Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("not JSON: " + e.displayText());
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("not a JSON object: ") + e.what());
    }
    if (!o) throw std::runtime_error("not a JSON object");
    return o;
}

Object::Ptr configNodeToJson(const ConfigNode& node) {
    Object::Ptr o = new Object;
    o->set("kind", static_cast<int>(node.kind));
    o->set("mark", markToJson(node.mark));
    o->set("key_mark", markToJson(node.keyMark));
    o->set("raw", node.raw);
    o->set("value", node.value);
    o->set("from_environment", node.fromEnvironment);
    o->set("unresolved", node.unresolved);
    o->set("substitutions", pairsToJson(node.substitutions));
    Array::Ptr items = new Array;
    for (const auto& item : node.items) items->add(configNodeToJson(*item));
    o->set("items", items);
    Array::Ptr entries = new Array;
    for (const auto& e : node.entries) {
        Object::Ptr entry = new Object;
        entry->set("key", e.key);
        entry->set("key_mark", markToJson(e.keyMark));
        entry->set("value", configNodeToJson(*e.value));
        entries->add(entry);
    }
    o->set("entries", entries);
    return o;
}

ConfigNodePtr configNodeFromJson(const Object& json) {
    auto n = std::make_shared<ConfigNode>();
    const int kind = json.getValue<int>("kind");
    if (kind < 0 || kind > static_cast<int>(ConfigNode::Kind::Map)) throw std::runtime_error("malformed node kind");
    n->kind = static_cast<ConfigNode::Kind>(kind);
    n->mark = markFromJson(json.getArray("mark"));
    n->keyMark = markFromJson(json.getArray("key_mark"));
    n->raw = json.getValue<std::string>("raw");
    n->value = json.getValue<std::string>("value");
    n->fromEnvironment = json.getValue<bool>("from_environment");
    n->unresolved = json.getValue<bool>("unresolved");
    n->substitutions = pairsFromJson(json.getArray("substitutions"), "substitution");
    const Array::Ptr items = json.getArray("items");
    for (std::size_t i = 0; items && i < items->size(); ++i) {
        const Object::Ptr item = items->getObject(i);
        if (!item) throw std::runtime_error("malformed list item");
        n->items.push_back(configNodeFromJson(*item));
    }
    const Array::Ptr entries = json.getArray("entries");
    for (std::size_t i = 0; entries && i < entries->size(); ++i) {
        const Object::Ptr entry = entries->getObject(i);
        if (!entry || !entry->getObject("value")) throw std::runtime_error("malformed mapping entry");
        n->entries.push_back(ConfigEntry{entry->getValue<std::string>("key"), markFromJson(entry->getArray("key_mark")),
                                         configNodeFromJson(*entry->getObject("value"))});
    }
    return n;
}

std::string setupLine(const RunnerSetup& setup) {
    Object::Ptr s = new Object;
    s->set("protocol", checkRunnerProtocol);
    s->set("library", setup.library);
    s->set("plugin", setup.plugin);
    s->set("where", setup.where);
    s->set("base_directory", setup.baseDirectory);
    s->set("block", configNodeToJson(*setup.block));
    s->set("memory_limit", static_cast<Poco::UInt64>(setup.memoryLimit));
    s->set("log_level", setup.logLevel);
    Object message;
    message.set("setup", s);
    return toLine(message);
}

RunnerSetup readSetup(const Object& message) {
    const Object::Ptr s = member(message, "setup");
    const int protocol = s->optValue<int>("protocol", 0);
    if (protocol != checkRunnerProtocol)
        throw std::runtime_error("the daemon speaks check-runner protocol " + std::to_string(protocol) + ", this binary " +
                                 std::to_string(checkRunnerProtocol) + " (restart the daemon after an upgrade)");
    RunnerSetup r;
    r.library = s->getValue<std::string>("library");
    r.plugin = s->getValue<std::string>("plugin");
    r.where = s->getValue<std::string>("where");
    r.baseDirectory = s->getValue<std::string>("base_directory");
    r.block = configNodeFromJson(*member(*s, "block"));
    r.memoryLimit = s->getValue<Poco::UInt64>("memory_limit");
    r.logLevel = s->getValue<int>("log_level");
    return r;
}

std::string runLine(const CheckContext& context) {
    Object::Ptr r = new Object;
    r->set("id", context.id);
    r->set("label", context.label);
    r->set("interval_ms", static_cast<Poco::Int64>(context.interval.count()));
    r->set("timeout_ms", static_cast<Poco::Int64>(context.timeout.count()));
    Object message;
    message.set("run", r);
    return toLine(message);
}

CheckContext readRun(const Object& message) {
    const Object::Ptr r = member(message, "run");
    return CheckContext{r->getValue<std::string>("id"), r->getValue<std::string>("label"),
                        std::chrono::milliseconds(r->getValue<Poco::Int64>("interval_ms")),
                        std::chrono::milliseconds(r->getValue<Poco::Int64>("timeout_ms")), nullptr};
}

std::string resultLine(const Result& result) {
    Object::Ptr r = new Object;
    r->set("status", std::string(toString(result.status)));
    r->set("summary", result.summary);
    if (result.value) r->set("value", valueText(*result.value));
    r->set("unit", result.unit);
    r->set("details", pairsToJson(result.details));
    Array::Ptr metrics = new Array;
    for (const auto& m : result.metrics) {
        const Array::Ptr labels = pairsToJson(m.labels);
        Array::Ptr metric = new Array;
        metric->add(m.name);
        metric->add(valueText(m.value));
        metric->add(labels);
        metrics->add(metric);
    }
    r->set("metrics", metrics);
    Object message;
    message.set("result", r);
    return toLine(message);
}

Result readResult(const Object& message) {
    const Object::Ptr r = member(message, "result");
    Result out;
    const std::string status = r->getValue<std::string>("status");
    if (status == "pass")
        out.status = Status::Pass;
    else if (status == "fail")
        out.status = Status::Fail;
    else if (status == "error")
        out.status = Status::Error;
    else
        throw std::runtime_error("unknown status '" + status + "'");
    out.summary = r->getValue<std::string>("summary");
    if (r->has("value")) out.value = std::strtod(r->getValue<std::string>("value").c_str(), nullptr);
    out.unit = r->getValue<std::string>("unit");
    out.details = pairsFromJson(r->getArray("details"), "detail");
    const Array::Ptr metrics = r->getArray("metrics");
    for (std::size_t i = 0; metrics && i < metrics->size(); ++i) {
        const Array::Ptr metric = metrics->getArray(i);
        if (!metric || metric->size() != 3) throw std::runtime_error("malformed metric");
        out.metrics.push_back(Metric{metric->getElement<std::string>(0), std::strtod(metric->getElement<std::string>(1).c_str(), nullptr),
                                     pairsFromJson(metric->getArray(2), "metric label")});
    }
    return out;
}

}  // namespace watchdog
