#pragma once

// Helpers for tests that run real parts: temp dirs, child processes, free ports, a local HTTP server.

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace watchdog::test {

/// The build tree (from WATCHDOG_BUILD_DIR, set by ctest).
std::string buildDir();
/// The source tree (from WATCHDOG_SOURCE_DIR, set by ctest).
std::string sourceDir();
/// build/bin/encoder-watchdog.
std::string watchdogBinary();
/// The build tree's plugin directory.
std::string pluginDir();
/// Full path of an installed program, searching PATH plus /usr/sbin and /sbin; "" if absent.
std::string findProgram(const std::string& name);

/// Sets (or, with nullptr, unsets) one variable of the real process environment and puts the old
/// value back when destroyed.
class ScopedVariable {
public:
    ScopedVariable(std::string name, const char* value);
    ~ScopedVariable();
    ScopedVariable(const ScopedVariable&) = delete;
    ScopedVariable& operator=(const ScopedVariable&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

/// A fresh directory under /tmp, removed with everything in it when destroyed.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    /// The directory's absolute path.
    const std::string& path() const { return path_; }
    /// path()/name.
    std::string file(const std::string& name) const;
    /// Writes content to path()/name (creating parent folders) and returns the full path.
    std::string write(const std::string& name, const std::string& content) const;

private:
    std::string path_;
};

/// Reads a whole file ("" if missing).
std::string readFile(const std::string& path);

/// The lines of `text`, without their line ends.
std::vector<std::string> linesOf(const std::string& text);
/// The same without the empty ones.
std::vector<std::string> nonEmptyLinesOf(const std::string& text);
/// Lines joined with newlines, so a failing comparison prints both sides.
std::string joinedLines(const std::vector<std::string>& lines);

/// A TCP port on 127.0.0.1 that was free a moment ago.
int freeLoopbackPort();

/// Polls `condition` every `poll` until it is true or `timeout` passes; returns its last value.
bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds poll = std::chrono::milliseconds(20));

/// A real child process with its stdout and stderr captured to a file. Killed when destroyed.
class ChildProcess {
public:
    /// Starts argv[0] (looked up in PATH) with argv; `env` entries are added to the environment.
    ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env = {}, std::string workingDirectory = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// The process id.
    int pid() const { return pid_; }
    /// True while it has not exited.
    bool running();
    /// Sends a signal.
    void signal(int sig);
    /// Waits for exit up to `timeout`; the exit code (128+signal if killed), or nullopt if still running.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    /// SIGTERM, then SIGKILL after `grace`; returns the exit code. The grace is generous: a clean stop
    /// fsyncs the state file and the sinks, which can take seconds while other builds load the disk.
    int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));
    /// Everything it printed so far (stdout and stderr interleaved).
    std::string output() const;
    /// Path of the file holding its output.
    const std::string& outputPath() const { return outputPath_; }

private:
    int pid_ = -1;
    std::optional<int> exitCode_;
    std::string outputPath_;
};

/// Kills (SIGKILL) the process named in a pid file when destroyed, if the file still names one, so a
/// failed assertion never leaves a background daemon behind.
struct PidFileGuard {
    std::string path;
    ~PidFileGuard();
};

/// Runs a command to completion and returns {exit code, output}; kills it after `timeout`.
std::pair<int, std::string> runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                       std::map<std::string, std::string> env = {});

/// An HTTP (or HTTPS) server on 127.0.0.1 (free port) calling `handler` for every request, on Poco's thread pool.
class LocalHttpServer {
public:
    using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;
    /// Asks for HTTPS with a fresh self-signed certificate for 127.0.0.1 (made by the openssl program).
    struct SelfSignedTls {};

    explicit LocalHttpServer(Handler handler);
    /// The same over HTTPS; throws std::runtime_error when openssl cannot make the certificate.
    LocalHttpServer(Handler handler, SelfSignedTls);
    ~LocalHttpServer();

    /// The port it listens on.
    int port() const;
    /// "http://127.0.0.1:PORT" ("https://" with TLS).
    std::string url() const;
    /// With TLS, the certificate's PEM file, for a client told to trust it (ca_file); "" without.
    std::string certificateFile() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace watchdog::test
