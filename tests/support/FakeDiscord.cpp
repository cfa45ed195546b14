#include "FakeDiscord.h"

#include "TestSupport.h"

#include <Poco/JSON/Parser.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>

namespace watchdog::test {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using Ms = std::chrono::milliseconds;

struct Script {
    enum class Kind { RateLimit, Fail, Hang } kind;
    int status = 0;
    double retryAfter = 0;
    RetryAfterIn where = RetryAfterIn::Both;
    bool global = false;
    std::string method;  // "" for any request, else only requests with this method
};

std::string errorJson(int code, const std::string& message, const std::string& detail = "") {
    Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("message", message);
    o.set("code", code);
    if (!detail.empty()) {
        Object::Ptr errors = new Object;
        Object::Ptr e = new Object;
        e->set("_errors", detail);
        errors->set("body", e);
        o.set("errors", errors);
    }
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}

}  // namespace

struct FakeDiscord::State {
    std::string id, token;
    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<Script> scripts;
    std::vector<DiscordRequest> requests;
    std::vector<std::string> messages;
    std::vector<std::string> bodies;
    std::vector<std::pair<std::string, std::string>> edits;
    std::vector<std::string> ids;
    std::map<std::string, std::string> stored;  // message id -> current body
    unsigned long long nextId = 1310000000000000001ULL;
    bool releasing = false;
    std::size_t releaseGeneration = 0;
    int active = 0;
    int bucketLimit = 0;
    Ms bucketWindow{0};
    std::deque<std::chrono::steady_clock::time_point> accepted;  // times of accepted messages in the window

    void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp);
    void answer(Poco::Net::HTTPServerResponse& resp, int status, const std::string& body, std::size_t index);
    std::string messageJson(const std::string& messageId, const std::string& body) const;
};

// The message object Discord answers a ?wait=true post or an edit with.
std::string FakeDiscord::State::messageJson(const std::string& messageId, const std::string& body) const {
    Poco::JSON::Parser parser;
    Object::Ptr sent = parser.parse(body).extract<Object::Ptr>();
    Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("id", messageId);
    o.set("type", 0);
    o.set("content", sent->optValue<std::string>("content", ""));
    o.set("channel_id", "1300000000000000042");
    o.set("webhook_id", id);
    o.set("embeds", sent->has("embeds") ? sent->get("embeds") : Poco::Dynamic::Var(Array()));
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}

void FakeDiscord::State::answer(Poco::Net::HTTPServerResponse& resp, int status, const std::string& body, std::size_t index) {
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (index < requests.size()) requests[index].status = status;
    }
    resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    if (body.empty()) {
        resp.setContentLength(0);
        resp.send();
        return;
    }
    resp.setContentType("application/json");
    resp.setContentLength(static_cast<std::streamsize>(body.size()));
    resp.send() << body;
}

void FakeDiscord::State::handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    DiscordRequest r;
    r.method = req.getMethod();
    r.path = req.getURI();
    r.contentType = req.getContentType();
    r.userAgent = req.get("User-Agent", "");
    Poco::StreamCopier::copyToString(req.stream(), r.body);
    r.received = std::chrono::steady_clock::now();
    std::size_t index = 0;
    std::unique_lock<std::mutex> lock(mutex);
    index = requests.size();
    requests.push_back(r);
    auto refuse = [&](int status, int code, const std::string& message, const std::string& why, const std::string& detail = "") {
        requests[index].error = why;
        lock.unlock();
        answer(resp, status, errorJson(code, message, detail), index);
    };

    static const std::regex route(R"(/api(?:/v([0-9]+))?/webhooks/([0-9]+)/([^/?]+)(?:/messages/([^/?]+))?/?(\?.*)?)");
    std::smatch m;
    if (!std::regex_match(r.path, m, route)) return refuse(404, 0, "404: Not Found", "unknown route");
    if (m[2] != id) return refuse(404, 10015, "Unknown Webhook", "unknown webhook id");
    if (m[3] != token) return refuse(401, 50027, "Invalid Webhook Token", "wrong token");
    const std::string editing = m[4];
    const bool wait = std::regex_search(std::string(m[5]), std::regex(R"([?&]wait=true(&|$))"));
    if (editing.empty() && r.method != "POST") return refuse(405, 0, "405: Method Not Allowed", "method " + r.method);
    if (!editing.empty() && r.method != "PATCH") return refuse(405, 0, "405: Method Not Allowed", "method " + r.method + " on a message");
    if (r.userAgent.empty()) return refuse(400, 0, "User-Agent required", "no User-Agent");

    if (!scripts.empty() && (scripts.front().method.empty() || scripts.front().method == r.method)) {
        const Script s = scripts.front();
        scripts.pop_front();
        if (s.kind == Script::Kind::Hang) {
            const std::size_t generation = releaseGeneration;
            ++active;
            wake.wait(lock, [&] { return releasing || releaseGeneration != generation; });
            --active;
            wake.notify_all();
            lock.unlock();
            answer(resp, 204, "", index);
            return;
        }
        lock.unlock();
        if (s.kind == Script::Kind::Fail) {
            answer(resp, s.status, errorJson(0, s.status == 500 ? "500: Internal Server Error" : "Service unavailable"), index);
            return;
        }
        std::ostringstream body;
        body << R"({"message": "You are being rate limited.", "retry_after": )" << s.retryAfter << R"(, "global": )"
             << (s.global ? "true" : "false") << "}";
        if (s.where != RetryAfterIn::Body) resp.set("Retry-After", std::to_string(static_cast<long long>(std::ceil(s.retryAfter))));
        if (s.global) resp.set("X-RateLimit-Global", "true");
        resp.set("X-RateLimit-Scope", s.global ? "global" : "user");
        answer(resp, 429, s.where == RetryAfterIn::Header ? R"({"message": "You are being rate limited.", "global": false})" : body.str(),
               index);
        return;
    }

    if (bucketLimit > 0) {
        const auto now = std::chrono::steady_clock::now();
        while (!accepted.empty() && now - accepted.front() >= bucketWindow) accepted.pop_front();
        if (static_cast<int>(accepted.size()) >= bucketLimit) {
            const double left = std::chrono::duration<double>(accepted.front() + bucketWindow - now).count();
            std::ostringstream body;
            body << R"({"message": "You are being rate limited.", "retry_after": )" << left << R"(, "global": false})";
            resp.set("X-RateLimit-Limit", std::to_string(bucketLimit));
            resp.set("X-RateLimit-Remaining", "0");
            resp.set("X-RateLimit-Reset-After", std::to_string(left));
            resp.set("Retry-After", std::to_string(static_cast<long long>(std::ceil(left))));
            requests[index].error = "bucket exhausted";
            lock.unlock();
            answer(resp, 429, body.str(), index);
            return;
        }
    }

    if (r.contentType.rfind("application/json", 0) != 0)
        return refuse(400, 50035, "Invalid Form Body", "Content-Type " + r.contentType, "Content-Type must be application/json");
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parsed = parser.parse(r.body);
    } catch (const std::exception&) {
        return refuse(400, 50109, "The request body contains invalid JSON.", "invalid JSON");
    }
    if (!editing.empty() && !stored.count(editing)) return refuse(404, 10008, "Unknown Message", "unknown message " + editing);
    const std::string why = validate(r.body);
    if (!why.empty()) {
        const bool empty = why.rfind("Cannot send an empty message", 0) == 0;
        return refuse(400, empty ? 50006 : 50035, empty ? "Cannot send an empty message" : "Invalid Form Body", why, why);
    }
    bodies.push_back(r.body);
    std::string reply;
    if (!editing.empty()) {
        edits.emplace_back(editing, r.body);
        stored[editing] = r.body;
        reply = messageJson(editing, r.body);
    } else {
        messages.push_back(r.body);
        if (wait) {
            const std::string messageId = std::to_string(nextId++);
            ids.push_back(messageId);
            stored[messageId] = r.body;
            reply = messageJson(messageId, r.body);
        }
    }
    if (bucketLimit > 0) {
        accepted.push_back(std::chrono::steady_clock::now());
        const double reset = std::chrono::duration<double>(accepted.front() + bucketWindow - std::chrono::steady_clock::now()).count();
        resp.set("X-RateLimit-Limit", std::to_string(bucketLimit));
        resp.set("X-RateLimit-Remaining", std::to_string(bucketLimit - static_cast<int>(accepted.size())));
        resp.set("X-RateLimit-Reset-After", std::to_string(std::max(0.0, reset)));
    }
    lock.unlock();
    answer(resp, reply.empty() ? 204 : 200, reply, index);
}

FakeDiscord::FakeDiscord(std::string id, std::string token)
    : id_(std::move(id)), token_(std::move(token)), state_(std::make_shared<State>()) {
    state_->id = id_;
    state_->token = token_;
    auto state = state_;
    server_ = std::make_unique<LocalHttpServer>(
        [state](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) { state->handle(req, resp); });
}

FakeDiscord::~FakeDiscord() {
    {
        std::unique_lock<std::mutex> lock(state_->mutex);
        state_->releasing = true;
        state_->wake.notify_all();
        state_->wake.wait_for(lock, Ms(3000), [&] { return state_->active == 0; });
    }
    server_.reset();
}

std::string FakeDiscord::baseUrl() const { return server_->url(); }
int FakeDiscord::port() const { return server_->port(); }
std::string FakeDiscord::webhookUrl() const { return baseUrl() + "/api/webhooks/" + id_ + "/" + token_; }

void FakeDiscord::rateLimitNext(int count, double retryAfterSeconds, RetryAfterIn where, bool global) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    for (int i = 0; i < count; ++i) state_->scripts.push_back({Script::Kind::RateLimit, 429, retryAfterSeconds, where, global, ""});
}

void FakeDiscord::rateLimitNextEdits(int count, double retryAfterSeconds) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    for (int i = 0; i < count; ++i)
        state_->scripts.push_back({Script::Kind::RateLimit, 429, retryAfterSeconds, RetryAfterIn::Both, false, "PATCH"});
}

void FakeDiscord::failNext(int count, int status) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    for (int i = 0; i < count; ++i) state_->scripts.push_back({Script::Kind::Fail, status, 0, RetryAfterIn::Both, false, ""});
}

void FakeDiscord::hangNext(int count) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    for (int i = 0; i < count; ++i) state_->scripts.push_back({Script::Kind::Hang, 0, 0, RetryAfterIn::Both, false, ""});
}

void FakeDiscord::releaseHangs() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    ++state_->releaseGeneration;
    state_->wake.notify_all();
}

void FakeDiscord::setBucket(int limit, Ms window) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->bucketLimit = limit;
    state_->bucketWindow = window;
    state_->accepted.clear();
}

std::vector<std::string> FakeDiscord::messages() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->messages;
}

std::vector<std::string> FakeDiscord::bodies() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->bodies;
}

std::vector<std::pair<std::string, std::string>> FakeDiscord::edits() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->edits;
}

std::vector<std::string> FakeDiscord::messageIds() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->ids;
}

std::string FakeDiscord::message(const std::string& id) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto it = state_->stored.find(id);
    return it == state_->stored.end() ? "" : it->second;
}

void FakeDiscord::deleteMessage(const std::string& id) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stored.erase(id);
}

std::size_t FakeDiscord::messageCount() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->messages.size();
}

std::vector<DiscordRequest> FakeDiscord::requests() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->requests;
}

bool FakeDiscord::waitForMessages(std::size_t count, Ms timeout) const {
    return waitUntil([&] { return messageCount() >= count; }, timeout, Ms(5));
}

bool FakeDiscord::waitForRequests(std::size_t count, Ms timeout) const {
    return waitUntil([&] { return requests().size() >= count; }, timeout, Ms(5));
}

void FakeDiscord::clear() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->requests.clear();
    state_->messages.clear();
    state_->bodies.clear();
    state_->edits.clear();
}

}  // namespace watchdog::test
