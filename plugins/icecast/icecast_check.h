#pragma once

#include "icecast_stats.h"

#include "watchdog/Check.h"

#include <Poco/Net/Context.h>

#include <string>

namespace watchdog {

/// The icecast check's options, read once by configure().
struct IcecastSettings {
    std::string scheme;          ///< "http" or "https"
    std::string host;            ///< server host name or address
    unsigned short port = 0;     ///< server port
    std::string statsPath;       ///< the URL's path plus "/admin/stats"
    std::string user;            ///< admin user
    std::string password;        ///< admin password (never logged)
    std::string mount;           ///< only this mount counts, if set (e.g. "/live")
    int minSources = 1;          ///< connected sources needed to pass
    std::string caFile;          ///< PEM bundle or hashed directory trusted for https, "" = system CAs
    unsigned long long maxBody = 0;  ///< larger answers are refused

    /// "host:port", how messages name the server (never the credentials).
    std::string endpoint() const;
};

/// Asks Icecast's /admin/stats (basic auth) how many sources are connected.
class IcecastCheck : public Check {
public:
    /// Reads url, user, password, mount, min_sources, ca_file, max_body.
    void configure(const Options& options) override;
    /// One GET of /admin/stats, judged by judge().
    Result run(const CheckContext& context) override;

    /// Turns parsed stats into the result a person reads (no I/O; unit-tested on captured bodies).
    static Result judge(const IcecastStats& stats, const IcecastSettings& settings);
    /// The options as configure() read them.
    const IcecastSettings& settings() const { return settings_; }

private:
    IcecastSettings settings_;
    Poco::Net::Context::Ptr tls_;
};

}  // namespace watchdog
