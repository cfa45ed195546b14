#include "IcecastServer.h"

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <csignal>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace watchdog::test {

IcecastServer::IcecastServer() : IcecastServer(Settings{}) {}

IcecastServer::IcecastServer(Settings settings) : settings_(std::move(settings)) {
    if (findProgram("icecast2").empty())
        throw std::runtime_error("icecast2 is not installed: apt-get install icecast2 (the tests need a real Icecast)");
    // icecast drops root privileges to `nobody`, which must be able to read the config and write the logs.
    ::chmod(dir_.path().c_str(), 0755);
    ::mkdir(dir_.file("log").c_str(), 0777);
    ::chmod(dir_.file("log").c_str(), 0777);
    if (settings_.tls) makeCertificate();
    std::string why;
    // A free port can be taken between freeLoopbackPort() and icecast's bind(): try a few.
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (start(why)) return;
    }
    throw std::runtime_error("icecast2 did not start: " + why);
}

IcecastServer::~IcecastServer() { stop(); }

void IcecastServer::makeCertificate() {
    if (findProgram("openssl").empty()) throw std::runtime_error("openssl is not installed: apt-get install openssl");
    auto [rc, out] = runCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                                 "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir_.file("key.pem"), "-out", dir_.file("cert.pem")},
                                std::chrono::seconds(30));
    if (rc != 0) throw std::runtime_error("openssl could not make a test certificate: " + out);
    // Icecast 2.4 reads certificate and key from one PEM file.
    dir_.write("icecast.pem", readFile(dir_.file("cert.pem")) + readFile(dir_.file("key.pem")));
    ::chmod(dir_.file("icecast.pem").c_str(), 0644);
}

std::string IcecastServer::configXml() const {
    const bool root = ::geteuid() == 0;
    std::string xml =
        "<icecast>\n"
        "  <location>watchdog-test</location><admin>test@localhost</admin>\n"
        "  <limits><clients>100</clients><sources>16</sources><queue-size>524288</queue-size>"
        "<client-timeout>30</client-timeout><header-timeout>15</header-timeout><source-timeout>" +
        std::to_string(settings_.sourceTimeout.count()) +
        "</source-timeout>"
        "<burst-size>65535</burst-size></limits>\n"
        "  <authentication><source-password>" +
        settings_.sourcePassword +
        "</source-password>"
        "<relay-password>relay-secret</relay-password><admin-user>" +
        settings_.adminUser +
        "</admin-user>"
        "<admin-password>" +
        settings_.adminPassword +
        "</admin-password></authentication>\n"
        "  <hostname>127.0.0.1</hostname>\n"
        "  <listen-socket><port>" +
        std::to_string(port_) + "</port><bind-address>127.0.0.1</bind-address></listen-socket>\n" +
        (settings_.tls ? "  <listen-socket><port>" + std::to_string(tlsPort_) +
                             "</port><bind-address>127.0.0.1</bind-address><ssl>1</ssl></listen-socket>\n"
                       : std::string()) +
        settings_.mountsXml +
        "  <fileserve>1</fileserve>\n"
        "  <paths><basedir>" +
        dir_.path() + "</basedir><logdir>" + dir_.file("log") +
        "</logdir>"
        "<webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot>" +
        (settings_.tls ? "<ssl-certificate>" + dir_.file("icecast.pem") + "</ssl-certificate>" : std::string()) +
        "</paths>\n"
        "  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel></logging>\n"
        "  <security><chroot>0</chroot>";
    // icecast2 refuses to run as root unless told which user to become.
    if (root) xml += "<changeowner><user>nobody</user><group>nogroup</group></changeowner>";
    xml += "</security>\n</icecast>\n";
    return xml;
}

bool IcecastServer::start(std::string& why) {
    port_ = freeLoopbackPort();
    if (settings_.tls) {
        do tlsPort_ = freeLoopbackPort();
        while (tlsPort_ == port_);
    }
    std::string config = dir_.write("icecast.xml", configXml());
    ::chmod(config.c_str(), 0644);
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"icecast2", "-c", config});
    bool up = waitUntil(
        [&] {
            if (!process_->running()) return true;
            try {
                return adminGet("/admin/stats").first == 200;
            } catch (const std::exception&) {
                return false;
            }
        },
        settings_.startTimeout, std::chrono::milliseconds(50));
    if (up && process_->running()) return true;
    why = "port " + std::to_string(port_) + ": " + (up ? "exited" : "no answer within the start timeout") + "; output: " + log();
    process_->stop(std::chrono::milliseconds(1000));
    process_.reset();
    return false;
}

std::string IcecastServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string IcecastServer::tlsUrl() const { return "https://127.0.0.1:" + std::to_string(tlsPort_); }

std::string IcecastServer::sourceUrl(const std::string& mount) const {
    return "icecast://source:" + settings_.sourcePassword + "@127.0.0.1:" + std::to_string(port_) + mount;
}

std::pair<int, std::string> IcecastServer::adminGet(const std::string& pathAndQuery) const {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    session.setTimeout(Poco::Timespan(3, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTTPBasicCredentials(settings_.adminUser, settings_.adminPassword).authenticate(request);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::string body;
    Poco::StreamCopier::copyToString(in, body);
    return {static_cast<int>(response.getStatus()), body};
}

std::string IcecastServer::statsXml() const {
    auto [status, body] = adminGet("/admin/stats");
    if (status != 200) throw std::runtime_error("icecast /admin/stats answered " + std::to_string(status));
    return body;
}

bool IcecastServer::hasSource(const std::string& mount) const {
    try {
        std::string xml = statsXml();
        auto at = xml.find("<source mount=\"" + mount + "\">");
        if (at == std::string::npos) return false;
        auto end = xml.find("</source>", at);
        return xml.find("<source_ip>", at) < end;
    } catch (const std::exception&) {
        return false;
    }
}

bool IcecastServer::waitForSource(const std::string& mount, std::chrono::milliseconds timeout) const {
    return waitUntil([&] { return hasSource(mount); }, timeout, std::chrono::milliseconds(50));
}

bool IcecastServer::waitForNoSource(const std::string& mount, std::chrono::milliseconds timeout) const {
    return waitUntil(
        [&] {
            try {
                return statsXml().find("<source mount=\"" + mount + "\">") == std::string::npos;
            } catch (const std::exception&) {
                return false;
            }
        },
        timeout, std::chrono::milliseconds(50));
}

void IcecastServer::reload() {
    if (process_) process_->signal(SIGHUP);
}

void IcecastServer::stop() {
    if (!process_) return;
    process_->stop(std::chrono::milliseconds(3000));
    process_.reset();
}

bool IcecastServer::running() { return process_ && process_->running(); }

std::string IcecastServer::log() const { return (process_ ? process_->output() : std::string()) + readFile(dir_.file("log/error.log")); }

}  // namespace watchdog::test
