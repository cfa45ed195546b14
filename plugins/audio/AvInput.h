#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

struct AVIOContext;
struct AVIOInterruptCB;

namespace watchdog::audio {

/// A reason the audio check could not observe (its text becomes the `error` result's summary).
class AudioError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Why a run stopped reading before its input ended.
enum class BudgetStop { None, Deadline, Cancelled, Bytes };

/// One run's limits on reading, shared by every file and URL it opens: a deadline (the check's
/// timeout), the scheduler's cancel flag and a byte budget (max_bytes).
class ReadBudget {
public:
    using Clock = std::chrono::steady_clock;
    /// Reading may go on for `limit` from now.
    ReadBudget(std::chrono::milliseconds limit, const std::atomic<bool>* cancelled, unsigned long long maxBytes);

    /// True (and remembered in stop()) once the deadline passed or the run was cancelled.
    bool interrupted();
    /// Counts `n` bytes read; false (and stop() == Bytes) when that goes past the budget.
    bool consume(std::size_t n);
    /// Bytes still allowed.
    unsigned long long remainingBytes() const { return maxBytes_ - used_; }
    /// Bytes read so far by the run.
    unsigned long long used() const { return used_; }
    /// The byte budget.
    unsigned long long maxBytes() const { return maxBytes_; }
    /// How long reading was allowed in all.
    std::chrono::milliseconds limit() const { return limit_; }
    /// Time left before the deadline (at least 1 ms).
    std::chrono::milliseconds remainingTime() const;
    /// Why reading stopped early, if it did.
    BudgetStop stop() const { return stop_; }
    /// libavformat's interrupt callback for this budget.
    AVIOInterruptCB callback();

private:
    static int interruptThunk(void* opaque);

    std::chrono::milliseconds limit_;
    Clock::time_point deadline_;
    const std::atomic<bool>* cancelled_;
    unsigned long long maxBytes_;
    unsigned long long used_ = 0;
    BudgetStop stop_ = BudgetStop::None;
};

/// One local file or http(s) URL opened with libavformat's own IO, read within a ReadBudget.
/// Throws AudioError naming the location when it cannot be opened.
class AvInput {
public:
    /// Opens `location` (a path, or an http:// or https:// URL); `caFile` adds trusted certificates.
    AvInput(const std::string& location, ReadBudget& budget, const std::string& caFile = {});
    ~AvInput();
    AvInput(const AvInput&) = delete;
    AvInput& operator=(const AvInput&) = delete;

    /// The first `n` bytes (fewer if the input is shorter); they are read again through stream().
    std::string peek(std::size_t n);
    /// The whole input as text, at most `maxBytes` (AudioError when longer).
    std::string readText(std::size_t maxBytes);
    /// A context that reads the input from its start (peeked bytes included) for a demuxer.
    AVIOContext* stream();
    /// The MIME type an HTTP server declared ("" for files or when none was sent).
    std::string mimeType() const;
    /// Bytes of this input read so far.
    unsigned long long bytesRead() const { return bytesRead_; }
    /// What was opened, for messages.
    const std::string& location() const { return location_; }
    /// True for a URL, false for a local file.
    bool remote() const { return remote_; }
    /// True when the last read had to wait for data: a live stream's burst of older audio is over.
    bool atLiveEdge() const { return lastReadWaited_; }
    /// The budget this input reads within.
    ReadBudget& budget() { return budget_; }
    /// Text for a libavformat error met while reading this input, naming the budget when it stopped it.
    std::string explain(int averror) const;

private:
    static int readThunk(void* opaque, std::uint8_t* buffer, int size);
    int read(std::uint8_t* buffer, int size);

    std::string location_;
    bool remote_ = false;
    ReadBudget& budget_;
    AVIOContext* io_ = nullptr;      ///< the protocol's own context (file, http, https)
    AVIOContext* custom_ = nullptr;  ///< what demuxers read: counts bytes, replays peeked ones
    std::string peeked_;
    std::size_t replayed_ = 0;
    unsigned long long bytesRead_ = 0;
    bool lastReadWaited_ = false;
    std::string readFailure_;  ///< how the protocol's first failed read was explained
};

/// av_strerror's text for a libavformat/libavcodec error code, with the last error FFmpeg logged on
/// this thread when that says more ("Stream ends prematurely at 1000, should be 5000").
std::string avErrorText(int averror);

/// Routes FFmpeg's log to a per-thread "last error" (never to stderr). Safe to call many times.
void captureFfmpegLog();

/// Forgets the last error FFmpeg logged on this thread.
void clearFfmpegLog();

}  // namespace watchdog::audio
