#include "IcecastStats.h"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/SAX/XMLReader.h>

#include <cctype>
#include <map>

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

// Reads the stats as a stream of SAX events, never as a DOM: memory stays proportional to what is kept,
// and nesting past kMaxStatsXmlDepth stops the parse at once (a DOM of 200k nested elements is freed
// recursively and overflows the stack).
class StatsHandler : public Poco::XML::DefaultHandler {
public:
    explicit StatsHandler(IcecastStats& stats) : stats_(stats) {}

    void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString& name,
                      const Poco::XML::Attributes& attributes) override {
        if (++depth_ > kMaxStatsXmlDepth)
            throw IcecastStatsError("stats XML nested deeper than " + std::to_string(kMaxStatsXmlDepth) + " levels");
        if (depth_ == 1 && name != "icestats") throw IcecastStatsError("stats XML has root <" + name + ">, expected <icestats>");
        if (depth_ == 2 && name == "source") {
            inSource_ = true;
            mount_ = IcecastMount{};
            mount_.mount = attributes.getValue("mount");
            fields_.clear();
        } else if (depth_ == 2 || (depth_ == 3 && inSource_)) {
            field_ = name;
            text_.clear();
        }
    }

    void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {
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

    void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
        if (!field_.empty()) text_.append(ch + start, static_cast<std::size_t>(length));
    }

    // <server_id> or <sources> of the root, "" if absent.
    std::string rootField(const std::string& name) const {
        auto it = rootFields_.find(name);
        return it == rootFields_.end() ? std::string() : it->second;
    }

private:
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
    Poco::XML::SAXParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, false);
    parser.setContentHandler(&handler);
    try {
        parser.parseString(body);
    } catch (const Poco::XML::SAXParseException& e) {
        throw IcecastStatsError("malformed stats XML (" + e.message() + ")");
    } catch (const Poco::Exception& e) {
        throw IcecastStatsError("unreadable stats XML (" + e.displayText() + ")");
    }
    stats.serverId = handler.rootField("server_id");
    std::string sources = handler.rootField("sources");
    if (!sources.empty() && sources.find_first_not_of("0123456789") == std::string::npos && sources.size() < 9)
        stats.globalSources = std::stoi(sources);
    return stats;
}

}  // namespace watchdog::icecast
