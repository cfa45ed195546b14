#include "WebhookUrl.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <regex>

namespace watchdog::discord_notify {

std::optional<WebhookUrl> WebhookUrl::parse(const std::string& url, std::string& error) {
    const std::string example = " (expected https://discord.com/api/webhooks/ID/TOKEN)";
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception&) {
        error = "webhook_url is not a URL" + example;
        return std::nullopt;
    }
    if (uri.getScheme() != "https" && uri.getScheme() != "http") {
        error = "webhook_url must start with https:// (or http:// for a local test endpoint)" + example;
        return std::nullopt;
    }
    if (uri.getHost().empty()) {
        error = "webhook_url has no host" + example;
        return std::nullopt;
    }
    // Discord ids are snowflakes (decimal); the token is whatever follows, up to a slash.
    static const std::regex shape(R"((.*)/api(?:/v[0-9]+)?/webhooks/([0-9]+)/([^/]+)/?)");
    std::smatch match;
    const std::string path = uri.getPath();
    if (!std::regex_match(path, match, shape)) {
        error = "webhook_url on " + uri.getHost() + " has no /api/webhooks/ID/TOKEN path" + example;
        return std::nullopt;
    }
    WebhookUrl w;
    w.scheme_ = uri.getScheme();
    w.host_ = uri.getHost();
    w.port_ = uri.getPort();
    w.prefix_ = match[1];
    w.id_ = match[2];
    w.token_ = match[3];
    w.query_ = uri.getRawQuery();
    return w;
}

std::string WebhookUrl::authority() const {
    const bool defaultPort = (scheme_ == "https" && port_ == 443) || (scheme_ == "http" && port_ == 80);
    const std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
    return scheme_ + "://" + host + (defaultPort ? "" : ":" + std::to_string(port_));
}

// Unversioned URLs get Discord's default API version (still v6, where retry_after is in
// milliseconds): always send to v10 (protocols.md 2.1).
std::string WebhookUrl::pathAndQuery() const { return pathAndQuery("", ""); }

std::string WebhookUrl::pathAndQuery(const std::string& suffix, const std::string& extraQuery) const {
    std::string query = query_;
    if (!extraQuery.empty()) query += (query.empty() ? "" : "&") + extraQuery;
    return prefix_ + "/api/v10/webhooks/" + id_ + "/" + token_ + suffix + (query.empty() ? "" : "?" + query);
}

std::string WebhookUrl::target() const { return authority() + pathAndQuery(); }

std::string WebhookUrl::target(const std::string& suffix, const std::string& extraQuery) const {
    return authority() + pathAndQuery(suffix, extraQuery);
}

std::string WebhookUrl::redacted() const {
    return authority() + prefix_ + "/api/v10/webhooks/" + id_ + "/***" + (query_.empty() ? "" : "?" + query_);
}

std::string WebhookUrl::redact(const std::string& text) const {
    if (token_.empty()) return text;
    std::string out = text;
    for (std::size_t at = out.find(token_); at != std::string::npos; at = out.find(token_, at + 3)) out.replace(at, token_.size(), "***");
    return out;
}

}  // namespace watchdog::discord_notify
