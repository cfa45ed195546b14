#pragma once

#include "TestSupport.h"

#include <csignal>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace watchdog::test {

/// One event as the recorder test action wrote it.
struct RecordedEvent {
    std::string type;
    std::string rule;
    std::string incident;
    std::string summary;
    std::vector<std::string> failing;
};

/// A temp folder with a pipeline of scripted checks (their results are files the test writes) and
/// recorder actions (every event they get is a JSON line the test reads), and the real binary.
class DaemonFixture {
public:
    DaemonFixture();

    /// Writes pipeline.yaml with `body` after a watchdog: block naming the state file.
    std::string writePipeline(const std::string& body) const;
    /// Sets what the scripted check `id` reports next ("pass", "fail 0 sources", "error boom", "hang").
    void script(const std::string& id, const std::string& line) const;
    /// The same for several checks at once: {{"encoder", "pass"}, {"segments", "fail old"}}.
    void script(const std::vector<std::pair<std::string, std::string>>& lines) const;
    /// The events a recorder action wrote to `file` so far.
    std::vector<RecordedEvent> events(const std::string& file) const;
    /// Just the types, in order.
    std::vector<std::string> types(const std::string& file) const;
    /// How many events of `type` the recorder wrote to `file` so far.
    int count(const std::string& file, const std::string& type) const;
    /// Waits until the recorder file holds an event of `type`.
    bool waitForEvent(const std::string& file, const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    /// Arguments for the binary: verb, extra args, then --plugin-path of the test plugins.
    std::vector<std::string> command(const std::string& verb, std::vector<std::string> extra = {}) const;
    /// The folder.
    const TempDir& dir() const { return dir_; }

private:
    TempDir dir_;
};

/// Sends the daemon `sig` and tells whether it then exits with 0 `within` that time.
bool stopsCleanly(ChildProcess& daemon, int sig = SIGTERM, std::chrono::milliseconds within = std::chrono::seconds(5));

}  // namespace watchdog::test
