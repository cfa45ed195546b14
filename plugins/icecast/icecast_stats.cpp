#include "icecast_stats.h"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/Node.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/XMLReader.h>

#include <cctype>

namespace watchdog {

namespace {

std::string childText(Poco::XML::Element* parent, const std::string& name) {
    Poco::XML::Element* child = parent->getChildElement(name);
    return child ? child->innerText() : std::string();
}

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

    Poco::XML::DOMParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, false);
    parser.setFeature(Poco::XML::DOMParser::FEATURE_FILTER_WHITESPACE, true);
    Poco::AutoPtr<Poco::XML::Document> doc;
    try {
        doc = parser.parseString(body);
    } catch (const Poco::XML::SAXParseException& e) {
        throw IcecastStatsError("malformed stats XML (" + e.message() + ")");
    } catch (const Poco::Exception& e) {
        throw IcecastStatsError("unreadable stats XML (" + e.displayText() + ")");
    }
    Poco::XML::Element* root = doc->documentElement();
    if (!root) throw IcecastStatsError("stats XML has no root element");
    if (root->nodeName() != "icestats")
        throw IcecastStatsError("stats XML has root <" + root->nodeName() + ">, expected <icestats>");

    IcecastStats stats;
    stats.serverId = childText(root, "server_id");
    std::string sources = childText(root, "sources");
    if (!sources.empty() && sources.find_first_not_of("0123456789") == std::string::npos && sources.size() < 9)
        stats.globalSources = std::stoi(sources);

    for (Poco::XML::Node* n = root->firstChild(); n; n = n->nextSibling()) {
        if (n->nodeType() != Poco::XML::Node::ELEMENT_NODE || n->nodeName() != "source") continue;
        auto* e = static_cast<Poco::XML::Element*>(n);
        IcecastMount m;
        m.mount = e->getAttribute("mount");
        m.listeners = childText(e, "listeners");
        for (const char* key : {"bitrate", "ice-bitrate", "audio_bitrate"}) {
            m.bitrate = childText(e, key);
            if (!m.bitrate.empty()) break;
        }
        m.audioInfo = childText(e, "audio_info");
        m.serverType = childText(e, "server_type");
        m.streamStart = childText(e, "stream_start_iso8601");
        if (m.streamStart.empty()) m.streamStart = childText(e, "stream_start");
        m.sourceIp = childText(e, "source_ip");
        m.totalBytesRead = childText(e, "total_bytes_read");
        // A configured mount whose fallback runs keeps a stub <source> with only listenurl, listeners and
        // max_listeners (Icecast 2.4.4 source_recheck_mounts): present, but no source is connected to it.
        m.connected = !m.sourceIp.empty() || !m.streamStart.empty();
        stats.mounts.push_back(std::move(m));
    }
    return stats;
}

}  // namespace watchdog
