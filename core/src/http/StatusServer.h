#pragma once

#include "config/Pipeline.h"
#include "engine/EngineStatus.h"

#include <memory>

namespace watchdog {

/// The HTTP status server: GET / (status page), /status, /metrics, /history, /healthz and
/// POST /notify, on settings.workers threads, bound to settings.host (loopback by default). A slow
/// client holds a worker for settings.requestTimeout + answerTimeout at most (StatusConnection).
class StatusServer {
public:
    /// Nothing listens until start(); `engine` must outlive the server.
    StatusServer(const HttpSettings& settings, EngineStatus& engine);
    /// Stops if still running.
    ~StatusServer();
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;

    /// Binds and starts serving; throws std::runtime_error with one line ("http: cannot listen on
    /// 127.0.0.1:9480: address already in use") if the address cannot be bound.
    void start();
    /// Stops accepting, closes open connections and waits for the worker threads; logs how many
    /// refused-token lines were left out of the log; idempotent.
    void stop();
    /// The port it listens on (the one picked when settings.port was 0); 0 before start().
    int port() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace watchdog
