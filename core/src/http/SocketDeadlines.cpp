#include "http/SocketDeadlines.h"

#include <Poco/Exception.h>

#include <optional>

namespace watchdog {

struct SocketDeadlines::Entry {
    Poco::Net::StreamSocket socket;  ///< a copy: the descriptor stays open (not reused) while watched
    std::optional<SteadyClock::time_point> deadline;
    Phase phase = Phase::Reading;
    bool expired = false;
};

namespace {

void shutDown(Poco::Net::StreamSocket& socket, bool bothSides) {
    try {
        if (bothSides)
            socket.shutdown();
        else
            socket.shutdownReceive();
    } catch (const Poco::Exception&) {
        // Already closed or reset by the client: nothing left to wake.
    }
}

}  // namespace

SocketDeadlines::Watch::Watch(SocketDeadlines& owner, std::shared_ptr<Entry> entry) : owner_(owner), entry_(std::move(entry)) {}

SocketDeadlines::Watch::~Watch() {
    std::lock_guard<std::mutex> lock(owner_.mutex_);
    owner_.entries_.erase(entry_);
}

void SocketDeadlines::Watch::arm(Phase phase, std::chrono::milliseconds budget) {
    {
        std::lock_guard<std::mutex> lock(owner_.mutex_);
        entry_->phase = phase;
        entry_->deadline = SteadyClock::now() + budget;
        entry_->expired = false;
    }
    owner_.changed_.notify_all();
}

void SocketDeadlines::Watch::disarm() {
    std::lock_guard<std::mutex> lock(owner_.mutex_);
    entry_->deadline.reset();
}

bool SocketDeadlines::Watch::expired() const {
    std::lock_guard<std::mutex> lock(owner_.mutex_);
    return entry_->expired;
}

bool SocketDeadlines::Watch::stopping() const {
    std::lock_guard<std::mutex> lock(owner_.mutex_);
    return owner_.stopping_;
}

SocketDeadlines::SocketDeadlines() : thread_([this] { run(); }) {}

SocketDeadlines::~SocketDeadlines() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        quit_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

std::unique_ptr<SocketDeadlines::Watch> SocketDeadlines::watch(const Poco::Net::StreamSocket& socket) {
    auto entry = std::make_shared<Entry>();
    entry->socket = socket;
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) shutDown(entry->socket, true);
    entries_.insert(entry);
    return std::make_unique<Watch>(*this, entry);
}

void SocketDeadlines::stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (const auto& entry : entries_) shutDown(entry->socket, true);
}

void SocketDeadlines::expire(Entry& entry) {
    entry.deadline.reset();
    entry.expired = true;
    shutDown(entry.socket, entry.phase == Phase::Answering);
}

void SocketDeadlines::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!quit_) {
        std::optional<SteadyClock::time_point> next;
        const auto now = SteadyClock::now();
        for (const auto& entry : entries_) {
            if (!entry->deadline) continue;
            if (*entry->deadline <= now)
                expire(*entry);
            else if (!next || *entry->deadline < *next)
                next = entry->deadline;
        }
        if (next)
            changed_.wait_until(lock, *next);
        else
            changed_.wait(lock);
    }
}

}  // namespace watchdog
