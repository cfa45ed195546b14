#pragma once

#include <optional>
#include <string>

namespace watchdog::discord_notify {

/// A Discord webhook URL, rewritten to the versioned API path and able to hide its token.
///
/// Accepts any http(s) host (proxies and test endpoints) whose path ends in
/// `/api/webhooks/ID/TOKEN` or `/api/vN/webhooks/ID/TOKEN`; the query (thread_id) is kept.
class WebhookUrl {
public:
    /// Parses `url`; on failure returns nullopt and sets `error` (the error never contains the token).
    static std::optional<WebhookUrl> parse(const std::string& url, std::string& error);

    /// The URL to POST to, with /api/v10/ (a secret: it carries the token).
    std::string target() const;
    /// target() with `suffix` after the token ("/messages/ID") and `extraQuery` ("wait=true") added to the query.
    std::string target(const std::string& suffix, const std::string& extraQuery) const;
    /// The URL with the token replaced by "***", safe for logs.
    std::string redacted() const;
    /// `text` with every occurrence of the token replaced by "***".
    std::string redact(const std::string& text) const;

    /// "http" or "https".
    const std::string& scheme() const { return scheme_; }
    /// Host name or address.
    const std::string& host() const { return host_; }
    /// Port (443/80 when the URL gives none).
    unsigned short port() const { return port_; }
    /// Path and query to request (a secret, like target()).
    std::string pathAndQuery() const;
    /// pathAndQuery() with a suffix after the token and a query parameter added (a secret too).
    std::string pathAndQuery(const std::string& suffix, const std::string& extraQuery) const;
    /// The webhook id (not secret).
    const std::string& id() const { return id_; }

private:
    std::string scheme_, host_, prefix_, id_, token_, query_;
    unsigned short port_ = 0;
    std::string authority() const;
};

}  // namespace watchdog::discord_notify
