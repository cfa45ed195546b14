#include "Ec2Xml.h"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/SAX/XMLReader.h>

#include <stdexcept>

namespace watchdog::aws {

namespace {

// EC2's answers nest about 8 levels; anything much deeper is not EC2.
constexpr int kMaxDepth = 64;

/// One element: its local name (the EC2 namespace is the default one), its own text, its children.
struct Element {
    std::string name;
    std::string text;
    std::vector<Element> children;
};

/// Builds the Element tree from SAX events. Nesting past kMaxDepth stops the parse at once, so the tree
/// (freed recursively) stays shallow whatever the server sends.
class TreeBuilder : public Poco::XML::DefaultHandler {
public:
    explicit TreeBuilder(Element& root) : root_(root) {}

    void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName, const Poco::XML::XMLString& qname,
                      const Poco::XML::Attributes&) override {
        if (open_.size() >= static_cast<std::size_t>(kMaxDepth))
            throw std::runtime_error("XML nested deeper than " + std::to_string(kMaxDepth) + " levels");
        Element* e = &root_;
        if (!open_.empty()) {
            open_.back()->children.emplace_back();
            e = &open_.back()->children.back();
        }
        e->name = localName.empty() ? qname : localName;
        open_.push_back(e);
    }

    void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString&) override { open_.pop_back(); }

    void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
        if (!open_.empty()) open_.back()->text.append(ch + start, static_cast<std::size_t>(length));
    }

private:
    Element& root_;
    std::vector<Element*> open_;  // the open elements, outermost first; a child never moves while it is open
};

Element parse(const std::string& xml) {
    Element root;
    TreeBuilder builder(root);
    Poco::XML::SAXParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
    parser.setContentHandler(&builder);
    try {
        parser.parseString(xml);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("unreadable EC2 reply (" + e.displayText() + ")");
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(std::string("unreadable EC2 reply (") + e.what() + ")");
    }
    return root;
}

/// Direct child elements named `name`.
std::vector<const Element*> children(const Element* parent, const std::string& name) {
    std::vector<const Element*> out;
    if (parent == nullptr) return out;
    for (const Element& e : parent->children)
        if (e.name == name) out.push_back(&e);
    return out;
}

const Element* child(const Element* parent, const std::string& name) {
    auto all = children(parent, name);
    return all.empty() ? nullptr : all.front();
}

std::string text(const Element* parent, const std::string& name) {
    const Element* e = child(parent, name);
    return e == nullptr ? std::string() : e->text;
}

const Element* root(const Element& doc, const std::string& expected) {
    if (doc.name != expected) throw std::runtime_error("unexpected EC2 reply: expected <" + expected + ">, got <" + doc.name + ">");
    return &doc;
}

}  // namespace

std::optional<Ec2Error> parseEc2Error(const std::string& xml) {
    try {
        const Element doc = parse(xml);
        const Element* r = &doc;
        if (r->name != "Response") return std::nullopt;
        const Element* error = child(child(r, "Errors"), "Error");
        if (error == nullptr) return std::nullopt;
        Ec2Error out{text(error, "Code"), text(error, "Message"), text(r, "RequestID")};
        if (out.code.empty()) return std::nullopt;
        return out;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::vector<InstanceInfo> parseDescribeInstances(const std::string& xml) {
    const Element doc = parse(xml);
    const Element* r = root(doc, "DescribeInstancesResponse");
    std::vector<InstanceInfo> out;
    for (const Element* reservation : children(child(r, "reservationSet"), "item")) {
        for (const Element* item : children(child(reservation, "instancesSet"), "item")) {
            InstanceInfo info;
            info.instanceId = text(item, "instanceId");
            const Element* state = child(item, "instanceState");
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
    const Element doc = parse(xml);
    const Element* r = root(doc, "StartInstancesResponse");
    std::vector<StateChange> out;
    for (const Element* item : children(child(r, "instancesSet"), "item")) {
        out.push_back({text(item, "instanceId"), text(child(item, "currentState"), "name"), text(child(item, "previousState"), "name")});
    }
    return out;
}

}  // namespace watchdog::aws
