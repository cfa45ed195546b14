#include "Ec2Xml.h"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/Node.h>
#include <Poco/Exception.h>
#include <Poco/SAX/InputSource.h>

#include <sstream>
#include <stdexcept>

namespace watchdog::aws {

namespace {

using Poco::XML::Element;
using Poco::XML::Node;

Poco::AutoPtr<Poco::XML::Document> parse(const std::string& xml) {
    Poco::XML::DOMParser parser;
    parser.setFeature(Poco::XML::DOMParser::FEATURE_FILTER_WHITESPACE, true);
    try {
        return parser.parseString(xml);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("unreadable EC2 reply (" + e.displayText() + ")");
    }
}

/// Direct child elements named `name` (local name: the EC2 namespace is the default one).
std::vector<Element*> children(const Node* parent, const std::string& name) {
    std::vector<Element*> out;
    if (parent == nullptr) return out;
    for (Node* n = parent->firstChild(); n != nullptr; n = n->nextSibling()) {
        if (n->nodeType() != Node::ELEMENT_NODE) continue;
        const std::string local = n->localName().empty() ? n->nodeName() : n->localName();
        if (local == name) out.push_back(static_cast<Element*>(n));
    }
    return out;
}

Element* child(const Node* parent, const std::string& name) {
    auto all = children(parent, name);
    return all.empty() ? nullptr : all.front();
}

std::string text(const Node* parent, const std::string& name) {
    Element* e = child(parent, name);
    return e == nullptr ? std::string() : e->innerText();
}

Element* root(const Poco::XML::Document& doc, const std::string& expected) {
    Element* r = doc.documentElement();
    const std::string local = r == nullptr ? "" : (r->localName().empty() ? r->nodeName() : r->localName());
    if (r == nullptr || local != expected)
        throw std::runtime_error("unexpected EC2 reply: expected <" + expected + ">, got <" + local + ">");
    return r;
}

}  // namespace

std::optional<Ec2Error> parseEc2Error(const std::string& xml) {
    try {
        auto doc = parse(xml);
        Element* r = doc->documentElement();
        if (r == nullptr || r->nodeName() != "Response") return std::nullopt;
        Element* error = child(child(r, "Errors"), "Error");
        if (error == nullptr) return std::nullopt;
        Ec2Error out{text(error, "Code"), text(error, "Message"), text(r, "RequestID")};
        if (out.code.empty()) return std::nullopt;
        return out;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::vector<InstanceInfo> parseDescribeInstances(const std::string& xml) {
    auto doc = parse(xml);
    Element* r = root(*doc, "DescribeInstancesResponse");
    std::vector<InstanceInfo> out;
    for (Element* reservation : children(child(r, "reservationSet"), "item")) {
        for (Element* item : children(child(reservation, "instancesSet"), "item")) {
            InstanceInfo info;
            info.instanceId = text(item, "instanceId");
            Element* state = child(item, "instanceState");
            info.state = text(state, "name");
            const std::string code = text(state, "code");
            try {
                // Only the low byte is the state; the high byte is internal (protocols.md 3.2).
                if (!code.empty()) info.stateCode = std::stoi(code) & 0xFF;
            } catch (const std::exception&) {
                throw std::runtime_error("unexpected EC2 reply: state code '" + code + "'");
            }
            info.publicIp = text(item, "ipAddress");
            info.privateIp = text(item, "privateIpAddress");
            if (info.instanceId.empty() || info.state.empty())
                throw std::runtime_error("unexpected EC2 reply: an instance without instanceId or instanceState");
            out.push_back(info);
        }
    }
    return out;
}

std::vector<StateChange> parseStartInstances(const std::string& xml) {
    auto doc = parse(xml);
    Element* r = root(*doc, "StartInstancesResponse");
    std::vector<StateChange> out;
    for (Element* item : children(child(r, "instancesSet"), "item")) {
        out.push_back({text(item, "instanceId"), text(child(item, "currentState"), "name"),
                       text(child(item, "previousState"), "name")});
    }
    return out;
}

}  // namespace watchdog::aws
