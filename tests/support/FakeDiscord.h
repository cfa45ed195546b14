#pragma once

// A local Discord webhook endpoint for tests. It validates each body as Discord does (JSON shape,
// content/embed/field/footer/author/total limits, allowed_mentions present), records every accepted
// message in order, and can be told to answer 429 with retry_after, 5xx, or never answer. Like
// Discord, a POST with ?wait=true is answered 200 with the message (and its snowflake id), without
// it 204; PATCH .../messages/ID edits a message it posted (same limits, 200 with the message) and
// answers 404 Unknown Message (10008) for any other id.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace watchdog::test {

class LocalHttpServer;

/// One request the fake received, in arrival order.
struct DiscordRequest {
    std::string method;                              ///< "POST", or "PATCH" for an edit
    std::string path;                                ///< path and query as sent ("/api/v10/webhooks/ID/TOKEN")
    std::string contentType;                         ///< Content-Type header
    std::string userAgent;                           ///< User-Agent header
    std::string body;                                ///< the raw body
    int status = 0;                                  ///< what the fake answered (0 while a hung request is still held)
    std::string error;                               ///< why it refused the request ("" if accepted or answered by a script)
    std::chrono::steady_clock::time_point received;  ///< when its body had been read
};

/// Where a scripted 429 carries its wait.
enum class RetryAfterIn {
    Body,    ///< only "retry_after" (float seconds) in the JSON body
    Header,  ///< only the Retry-After header (whole seconds, rounded up)
    Both,    ///< both, as Discord sends them
};

/// A fake Discord webhook on 127.0.0.1 (free port), on Poco's HTTPServer.
class FakeDiscord {
public:
    /// Serves the webhook `id` with `token`; other ids get 404 (10015), other tokens 401 (50027).
    explicit FakeDiscord(std::string id = "123456789012345678", std::string token = "fAkE-t0ken_Secret.value");
    /// Releases hung requests and stops the server.
    ~FakeDiscord();
    FakeDiscord(const FakeDiscord&) = delete;
    FakeDiscord& operator=(const FakeDiscord&) = delete;

    /// "http://127.0.0.1:PORT/api/webhooks/ID/TOKEN": unversioned, as copied from Discord's UI.
    std::string webhookUrl() const;
    /// "http://127.0.0.1:PORT".
    std::string baseUrl() const;
    /// The port it listens on.
    int port() const;
    /// The webhook id it serves.
    const std::string& id() const { return id_; }
    /// The token it expects (tests assert it never shows up in logs or outcomes).
    const std::string& token() const { return token_; }

    /// The next `count` authenticated requests get 429 with this retry_after (seconds), and nothing is posted.
    void rateLimitNext(int count, double retryAfterSeconds, RetryAfterIn where = RetryAfterIn::Both, bool global = false);
    /// The next `count` edits (PATCH) get 429 with this retry_after (body and Retry-After); posts pass by.
    void rateLimitNextEdits(int count, double retryAfterSeconds);
    /// The next `count` authenticated requests get `status` (e.g. 500, 502, 503) with a JSON error, and nothing is posted.
    void failNext(int count, int status = 500);
    /// The next `count` authenticated requests are held without an answer until releaseHangs() or destruction.
    void hangNext(int count);
    /// Lets every held request go (they are answered 204 without being posted).
    void releaseHangs();
    /// Acts like a Discord bucket: at most `limit` accepted messages per `window`; beyond it 429 with
    /// the time left as retry_after. Every answer carries X-RateLimit-Limit/Remaining/Reset-After.
    void setBucket(int limit, std::chrono::milliseconds window);

    /// Bodies of accepted new messages (POSTs), in arrival order.
    std::vector<std::string> messages() const;
    /// Bodies of accepted posts and edits, in arrival order (what people saw appear or change).
    std::vector<std::string> bodies() const;
    /// Accepted edits, in arrival order: the message id and the new body.
    std::vector<std::pair<std::string, std::string>> edits() const;
    /// The ids of the messages posted with ?wait=true, in order.
    std::vector<std::string> messageIds() const;
    /// The current body of message `id` (after its edits); "" if there is none.
    std::string message(const std::string& id) const;
    /// Deletes message `id` as a person in Discord would: edits of it then get 404 Unknown Message.
    void deleteMessage(const std::string& id);
    /// Number of accepted messages.
    std::size_t messageCount() const;
    /// Every request, accepted or not, in arrival order.
    std::vector<DiscordRequest> requests() const;
    /// Polls until at least `count` messages were accepted or `timeout` passes; true if they were.
    bool waitForMessages(std::size_t count, std::chrono::milliseconds timeout) const;
    /// Polls until at least `count` requests arrived (whatever the answer) or `timeout` passes.
    bool waitForRequests(std::size_t count, std::chrono::milliseconds timeout) const;
    /// Forgets recorded requests and messages (scripts and bucket stay).
    void clear();

    /// Checks a body as Discord would; "" if it is a valid webhook message, otherwise why not.
    static std::string validate(const std::string& body);
    /// Discord's length of a text: Unicode code points after trimming whitespace.
    static std::size_t length(const std::string& utf8);

private:
    struct State;
    std::string id_;
    std::string token_;
    std::shared_ptr<State> state_;
    std::unique_ptr<LocalHttpServer> server_;
};

}  // namespace watchdog::test
