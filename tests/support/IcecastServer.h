#pragma once

// A real icecast2 (Debian package) on a free loopback port, configured by the test in a temp dir.

#include "TestSupport.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

namespace watchdog::test {

/// Starts icecast2 with a config written into its own TempDir; stopped when destroyed.
/// Throws std::runtime_error with a clear message when icecast2 is missing or does not answer.
class IcecastServer {
public:
    /// What the test chooses; everything else (port, paths, the user to run as) the harness picks.
    struct Settings {
        std::string adminUser = "admin";                ///< <admin-user>
        std::string adminPassword = "admin-secret";     ///< <admin-password>
        std::string sourcePassword = "source-secret";   ///< <source-password> (user "source")
        std::string mountsXml;                          ///< raw <mount>...</mount> elements to add, e.g. fallbacks
        std::chrono::milliseconds startTimeout{10000};  ///< how long to wait for /admin/stats to answer
        bool tls = false;                        ///< also listen with TLS on tlsPort(), with a fresh self-signed certificate for 127.0.0.1
        std::chrono::seconds sourceTimeout{10};  ///< <source-timeout>: a source silent this long is dropped
    };

    /// Starts icecast2 with default settings.
    IcecastServer();
    /// Starts icecast2 with these settings.
    explicit IcecastServer(Settings settings);
    /// Stops the server (SIGTERM, then SIGKILL).
    ~IcecastServer();
    IcecastServer(const IcecastServer&) = delete;
    IcecastServer& operator=(const IcecastServer&) = delete;

    /// The loopback port it listens on.
    int port() const { return port_; }
    /// "http://127.0.0.1:PORT" (what the icecast check's `url` option takes).
    std::string url() const;
    /// The admin user name.
    const std::string& adminUser() const { return settings_.adminUser; }
    /// The admin password.
    const std::string& adminPassword() const { return settings_.adminPassword; }
    /// The source password.
    const std::string& sourcePassword() const { return settings_.sourcePassword; }
    /// The TLS port (0 unless Settings::tls).
    int tlsPort() const { return tlsPort_; }
    /// "https://127.0.0.1:TLSPORT" (only with Settings::tls).
    std::string tlsUrl() const;
    /// The self-signed certificate (PEM) the TLS port presents: what a client must trust.
    std::string certificateFile() const { return dir_.file("cert.pem"); }
    /// "icecast://source:PASS@127.0.0.1:PORT/MOUNT": where ffmpeg sends a stream (mount starts with '/').
    std::string sourceUrl(const std::string& mount) const;
    /// GET pathAndQuery with the admin credentials; returns {HTTP status, body}. Throws if unreachable.
    std::pair<int, std::string> adminGet(const std::string& pathAndQuery) const;
    /// The body of /admin/stats as the server sends it (throws unless the answer is 200).
    std::string statsXml() const;
    /// True when /admin/stats lists `mount` with a source_ip (a source is connected to it).
    bool hasSource(const std::string& mount) const;
    /// Waits until `mount` has a connected source (true) or `timeout` passes (false).
    bool waitForSource(const std::string& mount, std::chrono::milliseconds timeout) const;
    /// Waits until `mount` is gone from /admin/stats (true) or `timeout` passes (false).
    bool waitForNoSource(const std::string& mount, std::chrono::milliseconds timeout) const;
    /// Asks the server to re-read its config (SIGHUP), as an operator's reload does.
    void reload();
    /// Stops the server now; the port then refuses connections. Safe to call twice.
    void stop();
    /// True while the icecast2 process runs.
    bool running();
    /// Its error log and console output, for failure messages.
    std::string log() const;
    /// The directory holding its config and logs.
    const std::string& directory() const { return dir_.path(); }

private:
    bool start(std::string& why);
    void makeCertificate();
    std::string configXml() const;

    Settings settings_;
    TempDir dir_;
    int port_ = 0;
    int tlsPort_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

}  // namespace watchdog::test
