#include "DaemonFixture.h"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace watchdog::test {

DaemonFixture::DaemonFixture() = default;

std::string DaemonFixture::writePipeline(const std::string& body) const {
    return dir_.write("pipeline.yaml", "watchdog:\n  name: test\n  state_file: state.json\n" + body);
}

void DaemonFixture::script(const std::string& id, const std::string& line) const {
    // Written whole and renamed, so a check never reads half a line.
    const std::string tmp = dir_.write(id + ".txt.tmp", line + "\n");
    std::rename(tmp.c_str(), dir_.file(id + ".txt").c_str());
}

void DaemonFixture::script(const std::vector<std::pair<std::string, std::string>>& lines) const {
    for (const auto& [id, line] : lines) script(id, line);
}

std::vector<RecordedEvent> DaemonFixture::events(const std::string& file) const {
    std::vector<RecordedEvent> out;
    std::string text = readFile(dir_.file(file));
    text.erase(text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1);  // a line still being written
    std::istringstream lines(text);
    Poco::JSON::Parser parser;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        auto o = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
        RecordedEvent e{o->getValue<std::string>("type"),
                        o->getValue<std::string>("rule"),
                        o->getValue<std::string>("incident"),
                        o->getValue<std::string>("summary"),
                        {}};
        auto failing = o->getArray("failing");
        for (std::size_t i = 0; failing && i < failing->size(); ++i) e.failing.push_back(failing->getElement<std::string>(i));
        out.push_back(std::move(e));
        parser.reset();
    }
    return out;
}

std::vector<std::string> DaemonFixture::types(const std::string& file) const {
    std::vector<std::string> out;
    for (const auto& e : events(file)) out.push_back(e.type);
    return out;
}

int DaemonFixture::count(const std::string& file, const std::string& type) const {
    const auto all = types(file);
    return static_cast<int>(std::count(all.begin(), all.end(), type));
}

bool DaemonFixture::waitForEvent(const std::string& file, const std::string& type, std::chrono::milliseconds timeout) const {
    return waitUntil(
        [&] {
            for (const auto& t : types(file))
                if (t == type) return true;
            return false;
        },
        timeout);
}

std::vector<std::string> DaemonFixture::command(const std::string& verb, std::vector<std::string> extra) const {
    std::vector<std::string> argv{watchdogBinary(), verb};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("--plugin-path");
    argv.push_back(buildDir() + "/tests/plugins");
    return argv;
}

bool stopsCleanly(ChildProcess& daemon, int sig, std::chrono::milliseconds within) {
    daemon.signal(sig);
    return daemon.wait(within) == 0;
}

}  // namespace watchdog::test
