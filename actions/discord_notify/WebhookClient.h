#pragma once

#include "WebhookUrl.h"

#include <chrono>
#include <functional>
#include <string>

namespace watchdog::discord_notify {

/// How hard to try to deliver one message.
struct DeliverySettings {
    std::chrono::milliseconds requestTimeout{10000};  ///< connect/send/receive timeout of one attempt
    std::chrono::milliseconds maxRetryTime{120000};   ///< give up when the next wait would pass this since the first attempt
    std::chrono::milliseconds backoff{1000};          ///< first wait after a 5xx or network error; doubles each time
    std::chrono::milliseconds maxBackoff{30000};      ///< cap of that wait
    std::string caFile;                               ///< PEM bundle to trust instead of the system store ("" for system)
    std::string userAgent;                            ///< User-Agent header (Discord requires a valid one)
};

/// What became of one message.
struct Delivery {
    bool ok = false;              ///< Discord accepted it (2xx)
    int status = 0;               ///< the last HTTP status (0 if none arrived)
    int attempts = 0;             ///< requests made
    std::string summary;          ///< one line, token-free ("delivered", "gave up after 4 attempts in 2 min: HTTP 503")
    std::string messageId;        ///< create()/edit(): the id of the message in Discord's reply ("" otherwise)
    bool unknownMessage = false;  ///< edit(): Discord answered 404 Unknown Message (10008): it was deleted
};

/// Posts JSON bodies to one webhook: waits `retry_after` on 429 (JSON body or header), backs off and
/// retries on 5xx and network errors, obeys X-RateLimit-Remaining/Reset-After before the next
/// message, never retries other 4xx (a 404 webhook is gone; retrying gets the IP restricted).
class WebhookClient {
public:
    /// A client for `url` with these settings.
    WebhookClient(WebhookUrl url, DeliverySettings settings);

    /// Delivers `body`, retrying within settings.maxRetryTime; returns early once `stopping()` is true.
    Delivery post(const std::string& body, const std::function<bool()>& stopping);
    /// Like post(), with `?wait=true`: Discord answers with the message, whose id lands in Delivery::messageId.
    Delivery create(const std::string& body, const std::function<bool()>& stopping);
    /// Replaces message `messageId` of this webhook with `body` (PATCH .../messages/ID), with the same
    /// retries; a deleted message sets Delivery::unknownMessage and is not retried.
    Delivery edit(const std::string& messageId, const std::string& body, const std::function<bool()>& stopping);

    /// The URL with its token hidden.
    std::string redactedUrl() const { return url_.redacted(); }

private:
    struct Reply {
        int status = 0;                 // 0: no HTTP answer (network error or timeout)
        std::string error;              // network error text, or Discord's error message
        double retryAfterSeconds = -1;  // from a 429
        double resetAfterSeconds = -1;  // X-RateLimit-Reset-After
        bool bucketEmpty = false;       // X-RateLimit-Remaining: 0
        bool permanent = false;         // a network-level error retrying cannot fix (certificate refused)
        int code = 0;                   // Discord's JSON error code (10008 Unknown Message, 10015 Unknown Webhook)
        std::string messageId;          // "id" of the message a 2xx answer carried
    };
    /// One request and what the answer said.
    struct Request {
        std::string method;  // POST or PATCH
        std::string url;     // a secret: carries the token
        std::string what;    // "message" or "edit of message ID", for log lines
    };
    Reply attempt(const Request& request, const std::string& body);
    Delivery deliver(const Request& request, const std::string& body, const std::function<bool()>& stopping);

    WebhookUrl url_;
    DeliverySettings settings_;
    std::chrono::steady_clock::time_point notBefore_{};
};

/// Sleeps for `wait` in short slices; false if `stopping()` became true first.
bool pauseUnlessStopping(std::chrono::milliseconds wait, const std::function<bool()>& stopping);

}  // namespace watchdog::discord_notify
