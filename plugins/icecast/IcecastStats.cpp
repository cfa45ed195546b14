#include "IcecastStats.h"

#include <expat.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>

namespace watchdog::icecast {

namespace {

// A short, printable excerpt of a body for an error message.
std::string excerpt(const std::string& body) {
    std::string out;
    for (char c : body) {
        if (out.size() >= 40) {
            out += "...";
            break;
        }
        out += std::isprint(static_cast<unsigned char>(c)) ? c : ' ';
    }
    return out;
}

// Reads the stats as a stream of events from expat (libexpat's own API: Poco's SAX layer over it kept
// PocoXML's pages resident for every run), never as a DOM: memory stays proportional to what is kept,
// and nesting past kMaxStatsXmlDepth stops the parse at once (a DOM of 200k nested elements is freed
// recursively and overflows the stack). Expat calls back from C, so a problem is recorded, the parse
// stopped, and the error thrown once XML_Parse has returned.
class StatsHandler {
public:
    explicit StatsHandler(IcecastStats& stats) : stats_(stats) {}

    // Attaches the callbacks to `parser`; `this` must outlive the parse.
    void attach(XML_Parser parser) {
        parser_ = parser;
        XML_SetUserData(parser, this);
        XML_SetElementHandler(parser, &StatsHandler::onStart, &StatsHandler::onEnd);
        XML_SetCharacterDataHandler(parser, &StatsHandler::onText);
    }

    // The problem that stopped the parse, if one did.
    const std::optional<std::string>& problem() const { return problem_; }

    void startElement(const std::string& name, const XML_Char** attributes) {
        if (++depth_ > kMaxStatsXmlDepth) return stop("stats XML nested deeper than " + std::to_string(kMaxStatsXmlDepth) + " levels");
        if (depth_ == 1 && name != "icestats") return stop("stats XML has root <" + name + ">, expected <icestats>");
        if (depth_ == 2 && name == "source") {
            inSource_ = true;
            mount_ = IcecastMount{};
            for (const XML_Char** a = attributes; a[0] && a[1]; a += 2)
                if (std::strcmp(a[0], "mount") == 0) mount_.mount = a[1];
            fields_.clear();
        } else if (depth_ == 2 || (depth_ == 3 && inSource_)) {
            field_ = name;
            text_.clear();
        }
    }

    void endElement() {
        if (depth_ == 2 && inSource_) {
            finishMount();
            inSource_ = false;
        } else if (depth_ == 2) {
            if (field_ == "server_id" || field_ == "sources") rootFields_.emplace(field_, text_);
            field_.clear();
        } else if (depth_ == 3 && inSource_) {
            fields_.emplace(field_, text_);  // the first of a repeated element wins, as getChildElement did
            field_.clear();
        }
        --depth_;
    }

    void characters(const XML_Char* text, int length) {
        if (!field_.empty()) text_.append(text, static_cast<std::size_t>(length));
    }

    // <server_id> or <sources> of the root, "" if absent.
    std::string rootField(const std::string& name) const {
        auto it = rootFields_.find(name);
        return it == rootFields_.end() ? std::string() : it->second;
    }

private:
    static void XMLCALL onStart(void* self, const XML_Char* name, const XML_Char** attributes) {
        auto* handler = static_cast<StatsHandler*>(self);
        if (!handler->problem_) handler->startElement(name, attributes);
    }
    static void XMLCALL onEnd(void* self, const XML_Char*) {
        auto* handler = static_cast<StatsHandler*>(self);
        if (!handler->problem_) handler->endElement();
    }
    static void XMLCALL onText(void* self, const XML_Char* text, int length) {
        auto* handler = static_cast<StatsHandler*>(self);
        if (!handler->problem_) handler->characters(text, length);
    }

    void stop(std::string problem) {
        problem_ = std::move(problem);
        XML_StopParser(parser_, XML_FALSE);
    }

    std::string field(const std::string& name) const {
        auto it = fields_.find(name);
        return it == fields_.end() ? std::string() : it->second;
    }

    void finishMount() {
        IcecastMount& m = mount_;
        m.listeners = field("listeners");
        for (const char* key : {"bitrate", "ice-bitrate", "audio_bitrate"}) {
            m.bitrate = field(key);
            if (!m.bitrate.empty()) break;
        }
        m.audioInfo = field("audio_info");
        m.serverType = field("server_type");
        m.streamStart = field("stream_start_iso8601");
        if (m.streamStart.empty()) m.streamStart = field("stream_start");
        m.sourceIp = field("source_ip");
        m.totalBytesRead = field("total_bytes_read");
        // A configured mount whose fallback runs keeps a stub <source> with only listenurl, listeners and
        // max_listeners (Icecast 2.4.4 source_recheck_mounts): present, but no source is connected to it.
        m.connected = !m.sourceIp.empty() || !m.streamStart.empty();
        stats_.mounts.push_back(std::move(m));
    }

    IcecastStats& stats_;
    XML_Parser parser_ = nullptr;
    std::optional<std::string> problem_;
    int depth_ = 0;
    bool inSource_ = false;
    IcecastMount mount_;
    std::string field_;  // the element whose text is being collected, "" when none
    std::string text_;
    std::map<std::string, std::string> fields_;
    std::map<std::string, std::string> rootFields_;
};

}  // namespace

std::vector<const IcecastMount*> IcecastStats::connected() const {
    std::vector<const IcecastMount*> out;
    for (const auto& m : mounts)
        if (m.connected) out.push_back(&m);
    return out;
}

const IcecastMount* IcecastStats::find(const std::string& mount) const {
    for (const auto& m : mounts)
        if (m.mount == mount) return &m;
    return nullptr;
}

IcecastStats parseIcecastStats(const std::string& body) {
    auto first = body.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) throw IcecastStatsError("empty body instead of stats XML");
    if (body[first] != '<') throw IcecastStatsError("not XML: \"" + excerpt(body.substr(first)) + "\"");

    IcecastStats stats;
    StatsHandler handler(stats);
    std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate(nullptr), &XML_ParserFree);
    if (!parser) throw IcecastStatsError("unreadable stats XML (no memory for the parser)");
    handler.attach(parser.get());
    // Expat reads at most INT_MAX bytes at a time; the check's max_body keeps a body far below it.
    const int length = static_cast<int>(std::min<std::size_t>(body.size(), std::numeric_limits<int>::max()));
    const bool parsed = XML_Parse(parser.get(), body.data(), length, XML_TRUE) == XML_STATUS_OK;
    if (handler.problem()) throw IcecastStatsError(*handler.problem());
    if (!parsed)
        throw IcecastStatsError(std::string("malformed stats XML (") + XML_ErrorString(XML_GetErrorCode(parser.get())) + " at line " +
                                std::to_string(XML_GetCurrentLineNumber(parser.get())) + ", column " +
                                std::to_string(XML_GetCurrentColumnNumber(parser.get())) + ")");
    stats.serverId = handler.rootField("server_id");
    std::string sources = handler.rootField("sources");
    if (!sources.empty() && sources.find_first_not_of("0123456789") == std::string::npos && sources.size() < 9)
        stats.globalSources = std::stoi(sources);
    return stats;
}

}  // namespace watchdog::icecast
