#pragma once

#include "IcecastFlow.h"
#include "IcecastStats.h"

#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>

#include "TlsClientPolicy.h"

#include <map>
#include <optional>
#include <string>

namespace watchdog::icecast {

/// The icecast check's options, read once by configure().
struct IcecastSettings {
    std::string scheme;              ///< "http" or "https"
    std::string host;                ///< server host name or address
    unsigned short port = 0;         ///< server port
    std::string statsPath;           ///< the URL's path plus "/admin/stats"
    std::string statsUrl;            ///< scheme://host:port + statsPath
    std::string user;                ///< admin user
    std::string password;            ///< admin password (never logged)
    std::string authorization;       ///< the Authorization header of user and password (made once)
    std::string mount;               ///< only this mount counts, if set (e.g. "/live")
    int minSources = 1;              ///< connected sources needed to pass
    std::string caFile;              ///< PEM bundle or hashed directory trusted for https, "" = system CAs
    unsigned long long maxBody = 0;  ///< larger answers are refused
    std::optional<double> minKbps;   ///< fail when a counted mount's source sends less (kbit/s)
    std::string expectSourceIp;      ///< fail when a counted mount is fed from another address ("" = any)

    /// "host:port", how messages name the server (never the credentials).
    std::string endpoint() const;
};

/// Asks Icecast's /admin/stats (basic auth) how many sources are connected, how fast each sends
/// and from where, and counts their reconnects across runs.
class IcecastCheck : public Check {
public:
    /// Reads url, user, password, mount, min_sources, ca_file, max_body, min_kbps, expect_source_ip.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// One GET of /admin/stats within the check's timeout (connect, headers and body together),
    /// judged by judge() with the flow since the previous runs.
    Result run(const CheckContext& context) override;

    /// Turns parsed stats (and each connected mount's flow, if known) into the result a person
    /// reads (no I/O; unit-tested on captured bodies).
    static Result judge(const IcecastStats& stats, const IcecastSettings& settings, const std::map<std::string, MountFlow>& flows = {});
    /// The options as configure() read them.
    const IcecastSettings& settings() const { return settings_; }

private:
    IcecastSettings settings_;
    common::TlsContextPtr tls_;
    IcecastFlow flow_;
};

}  // namespace watchdog::icecast
