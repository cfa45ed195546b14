#include "DaemonPipeline.h"

namespace watchdog::test {

namespace {

std::string section(const std::string& name, const std::vector<std::string>& lines) {
    if (lines.empty()) return "";
    std::string out = name + ":\n";
    for (const auto& line : lines) out += line + "\n";
    return out;
}

std::string entry(const std::string& id, const std::string& keys) { return "  " + id + ": { " + keys + " }"; }

}  // namespace

DaemonPipeline DaemonPipeline::failover(int port, const std::string& ruleKeys) {
    DaemonPipeline p;
    p.http(port)
        .scripted("encoder", "interval: 50ms, timeout: 2s")
        .scripted("segments", "interval: 50ms, timeout: 2s")
        .recorder("notes")
        .recorder("backup", "role: remedy")
        .rule("failover", "when: \"2 of [encoder, segments]\", warn: notes, wait: 100ms, then: backup, recover: notes" + ruleKeys);
    return p;
}

DaemonPipeline& DaemonPipeline::http(int port, const std::string& token) {
    http_ = "http: { listen: 127.0.0.1:" + std::to_string(port) + (token.empty() ? "" : ", token: " + token) + " }\n";
    return *this;
}

DaemonPipeline& DaemonPipeline::scripted(const std::string& id, const std::string& keys) {
    checks_.push_back(entry(id, "plugin: scripted, file: " + id + ".txt, " + keys));
    return *this;
}

DaemonPipeline& DaemonPipeline::recorder(const std::string& id, const std::string& keys) {
    actions_.push_back(entry(id, "plugin: recorder, file: " + id + ".jsonl" + (keys.empty() ? "" : ", " + keys)));
    return *this;
}

DaemonPipeline& DaemonPipeline::rule(const std::string& id, const std::string& keys) {
    rules_.push_back(entry(id, keys));
    return *this;
}

DaemonPipeline& DaemonPipeline::sink(const std::string& entry) {
    sinks_.push_back("  - " + entry);
    return *this;
}

std::string DaemonPipeline::text() const {
    return http_ + section("checks", checks_) + section("actions", actions_) + section("rules", rules_) + section("sinks", sinks_);
}

}  // namespace watchdog::test
