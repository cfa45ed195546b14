#include "HaPair.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <cstdio>

namespace watchdog::test {

namespace {
const char* kKey = "AKIAWATCHDOGTEST0001";
const char* kSecret = "s3cr3t/watchdog+KEY0123456789abcdefghij";
}  // namespace

void HaNode::start() {
    process = std::make_unique<ChildProcess>(
        std::vector<std::string>{watchdogBinary(), "run", pipeline, "--plugin-path", buildDir() + "/tests/plugins"});
}

Poco::JSON::Object::Ptr HaNode::status() const {
    try {
        Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(httpPort));
        session.setTimeout(Poco::Timespan(2, 0));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/status", Poco::Net::HTTPMessage::HTTP_1_1);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::string body;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
        if (response.getStatus() != 200) return nullptr;
        return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        return nullptr;
    }
}

bool HaNode::leading() const {
    auto s = status();
    return s && s->getObject("ha") && s->getObject("ha")->getValue<bool>("leading");
}

std::vector<std::string> HaNode::notified() const {
    std::vector<std::string> out;
    std::string text = readFile(dir->file("notes.jsonl"));
    const auto last = text.find_last_of('\n');
    text.erase(last == std::string::npos ? 0 : last + 1);
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = text.find('\n', at);
        try {
            out.push_back(
                Poco::JSON::Parser().parse(text.substr(at, end - at)).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("type"));
        } catch (const std::exception&) {
        }
        at = end + 1;
    }
    return out;
}

int HaNode::notifiedCount(const std::string& type) const {
    int n = 0;
    for (const auto& t : notified()) n += t == type;
    return n;
}

HaPair::HaPair(const std::string& wait, const std::string& ttl, const std::string& sinks)
    : ec2("eu-west-2"), wait_(wait), ttl_(ttl), sinks_(sinks) {
    ec2.addCredentials(kKey, kSecret);
    ec2.addInstance(kInstance, "stopped");
    script("pass fine");
}

void HaPair::script(const std::string& line) {
    for (const std::string id : {"encoder", "segments"}) {
        const std::string tmp = shared_.write(id + ".tmp", line + "\n");
        std::rename(tmp.c_str(), shared_.file(id + ".txt").c_str());
    }
}

HaNode& HaPair::add(const std::string& name, bool primary) {
    auto node = std::make_unique<HaNode>();
    node->name = name;
    node->primary = primary;
    node->dir = std::make_unique<TempDir>();
    node->httpPort = freeLoopbackPort();
    std::string sinks = sinks_.empty() ? "  - plugin: sink_only\n" : sinks_;
    for (auto at = sinks.find("NODE"); at != std::string::npos; at = sinks.find("NODE")) sinks.replace(at, 4, name);
    for (auto at = sinks.find("DBPORT"); at != std::string::npos; at = sinks.find("DBPORT"))
        sinks.replace(at, 6, std::to_string(db.port()));
    node->pipeline = node->dir->write("pipeline.yaml",
                                      "watchdog:\n  name: station\n  state_file: state.json\n"
                                      "ha:\n  lease: mysql\n  ttl: " +
                                          ttl_ + "\n  node: " + name + "\n  primary: " + (primary ? "true" : "false") +
                                          "\n  host: 127.0.0.1\n  port: " + std::to_string(db.port()) + "\n  user: " + db.user() +
                                          "\n  password: \"" + db.password() + "\"\n  database: " + db.database() +
                                          "\n  connect_timeout: 1s\n  io_timeout: 2s\n"
                                          "http: { listen: 127.0.0.1:" +
                                          std::to_string(node->httpPort) +
                                          " }\n"
                                          "checks:\n"
                                          "  encoder: { plugin: scripted, file: " +
                                          shared_.file("encoder.txt") +
                                          ", interval: 50ms, timeout: 2s }\n"
                                          "  segments: { plugin: scripted, file: " +
                                          shared_.file("segments.txt") +
                                          ", interval: 50ms, timeout: 2s }\n"
                                          "actions:\n"
                                          "  notes: { plugin: recorder, file: notes.jsonl }\n"
                                          "  backup: { plugin: aws_start, instance_id: " +
                                          std::string(kInstance) + ", region: eu-west-2, endpoint: \"" + ec2.url() +
                                          "\", access_key_id: " + kKey + ", secret_access_key: \"" + kSecret +
                                          "\", instance_role: false, poll_interval: 20ms, retry_backoff: 10ms }\n"
                                          "rules:\n"
                                          "  failover:\n"
                                          "    when: 2 of [encoder, segments]\n"
                                          "    warn: notes\n"
                                          "    wait: " +
                                          wait_ +
                                          "\n"
                                          "    then: [backup, notes]\n"
                                          "    recover: notes\n"
                                          "sinks:\n" +
                                          sinks);
    nodes_.push_back(std::move(node));
    return *nodes_.back();
}

}  // namespace watchdog::test
