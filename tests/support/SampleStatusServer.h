#pragma once

// A real StatusServer on a free port of 127.0.0.1 in front of a fake engine. Header-only (it needs
// the core's internal headers: link watchdog_core_internal).

#include "FakeEngineStatus.h"
#include "http/StatusServer.h"

#include <chrono>
#include <memory>
#include <string>

namespace watchdog::test {

/// Starts a StatusServer on a free port of 127.0.0.1 for `engine`, asking for `token` when not empty.
inline std::unique_ptr<StatusServer> startStatusServer(EngineStatus& engine, const std::string& token = "") {
    HttpSettings settings;
    settings.enabled = true;
    settings.port = 0;
    settings.token = token;
    auto server = std::make_unique<StatusServer>(settings, engine);
    server->start();
    return server;
}

/// A status server whose engine holds sampleStation() and sampleHistory() as of its start.
struct SampleStatusServer {
    FakeEngineStatus engine;
    std::unique_ptr<StatusServer> server;

    /// Starts it; `token` as in startStatusServer.
    explicit SampleStatusServer(const std::string& token = "") {
        const auto now = std::chrono::system_clock::now();
        engine.setStatus(sampleStation(now));
        engine.setHistory(sampleHistory(now));
        server = startStatusServer(engine, token);
    }
    /// The port it listens on.
    int port() const { return server->port(); }
};

}  // namespace watchdog::test
