#pragma once

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace watchdog {

/// Bounds the time a client can hold a connection of the status server. A worker blocked reading
/// from a client that trickles its request one byte at a time would otherwise wait for ever (a
/// receive timeout restarts with every byte); here each connection carries a deadline, and a thread
/// of its own shuts the socket down when one passes, which wakes the worker (its read returns 0).
/// While the request is read only the receiving side is shut, so the worker can still answer 408;
/// while the answer is written, both sides.
class SocketDeadlines {
public:
    using SteadyClock = std::chrono::steady_clock;
    /// What the connection is doing when its deadline passes.
    enum class Phase { Reading, Answering };

    struct Entry;

    /// One watched connection; stops watching when destroyed. Used by the connection's worker only.
    class Watch {
    public:
        Watch(SocketDeadlines& owner, std::shared_ptr<Entry> entry);
        ~Watch();
        Watch(const Watch&) = delete;
        Watch& operator=(const Watch&) = delete;

        /// Sets the deadline to now + `budget` for `phase` and clears an earlier expiry.
        void arm(Phase phase, std::chrono::milliseconds budget);
        /// No deadline until the next arm().
        void disarm();
        /// True once a deadline passed (and the socket was shut down) since the last arm().
        bool expired() const;
        /// True once the server is stopping: the connection must end.
        bool stopping() const;

    private:
        SocketDeadlines& owner_;
        std::shared_ptr<Entry> entry_;
    };

    SocketDeadlines();
    /// Stops the thread; every Watch must be gone.
    ~SocketDeadlines();
    SocketDeadlines(const SocketDeadlines&) = delete;
    SocketDeadlines& operator=(const SocketDeadlines&) = delete;

    /// Starts watching `socket`, with no deadline yet. After stop() the socket is shut down at once.
    std::unique_ptr<Watch> watch(const Poco::Net::StreamSocket& socket);
    /// Shuts down every watched socket, and every one watched from now on, so their workers finish.
    void stop();

private:
    void run();
    void expire(Entry& entry);

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::set<std::shared_ptr<Entry>> entries_;
    bool stopping_ = false;
    bool quit_ = false;
    std::thread thread_;
};

}  // namespace watchdog
