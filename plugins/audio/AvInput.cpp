#include "AvInput.h"

#include "AudioSettings.h"

#include <watchdog/HumanFormat.h>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace watchdog::audio {

namespace {

constexpr int kIoBufferBytes = 32 * 1024;
// A read that waits this long found no data buffered: the stream is being sent as it is encoded.
constexpr std::chrono::milliseconds kLiveEdgeWait{20};

thread_local char lastLoggedError[256];

void logToLastError(void*, int level, const char* format, va_list args) {
    if (level > AV_LOG_ERROR) return;
    char line[sizeof lastLoggedError];
    std::vsnprintf(line, sizeof line, format, args);
    std::size_t n = std::strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) line[--n] = '\0';
    if (n > 0) std::memcpy(lastLoggedError, line, n + 1);
}

// Puts FFmpeg's default logger back when the plugin library is unloaded, so that no callback points
// into unmapped code.
struct LogRestorer {
    ~LogRestorer() { av_log_set_callback(av_log_default_callback); }
};

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

struct Dictionary {
    AVDictionary* dict = nullptr;
    ~Dictionary() { av_dict_free(&dict); }
    void set(const char* key, const std::string& value) { av_dict_set(&dict, key, value.c_str(), 0); }
};

}  // namespace

void captureFfmpegLog() {
    static std::once_flag once;
    static LogRestorer restorer;
    std::call_once(once, [] { av_log_set_callback(logToLastError); });
}

void clearFfmpegLog() { lastLoggedError[0] = '\0'; }

std::string avErrorText(int averror) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(averror, text, sizeof text);
    std::string out = text;
    // FFmpeg's log line says more ("Stream ends prematurely at 1000, should be 5000") unless it only
    // repeats the error ("Connection to tcp://...: Connection refused").
    if (lastLoggedError[0] != '\0' && std::strstr(lastLoggedError, text) == nullptr) out += " (" + std::string(lastLoggedError) + ")";
    return out;
}

// ---- ReadBudget ----

ReadBudget::ReadBudget(std::chrono::milliseconds limit, const std::atomic<bool>* cancelled, unsigned long long maxBytes)
    : limit_(limit), deadline_(Clock::now() + limit), cancelled_(cancelled), maxBytes_(maxBytes) {}

bool ReadBudget::interrupted() {
    if (stop_ == BudgetStop::Deadline || stop_ == BudgetStop::Cancelled) return true;
    if (cancelled_ != nullptr && cancelled_->load())
        stop_ = BudgetStop::Cancelled;
    else if (Clock::now() >= deadline_)
        stop_ = BudgetStop::Deadline;
    return stop_ == BudgetStop::Deadline || stop_ == BudgetStop::Cancelled;
}

bool ReadBudget::consume(std::size_t n) {
    if (n > remainingBytes()) {
        used_ = maxBytes_;
        stop_ = BudgetStop::Bytes;
        return false;
    }
    used_ += n;
    return true;
}

std::chrono::milliseconds ReadBudget::remainingTime() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    return std::max(left, std::chrono::milliseconds(1));
}

int ReadBudget::interruptThunk(void* opaque) { return static_cast<ReadBudget*>(opaque)->interrupted() ? 1 : 0; }

AVIOInterruptCB ReadBudget::callback() { return AVIOInterruptCB{&ReadBudget::interruptThunk, this}; }

// ---- AvInput ----

AvInput::AvInput(const std::string& location, ReadBudget& budget, const std::string& caFile) : location_(location), budget_(budget) {
    captureFfmpegLog();
    clearFfmpegLog();
    remote_ = startsWith(location, "http://") || startsWith(location, "https://");
    Dictionary options;
    std::string url;
    if (remote_) {
        url = location;
        // rw_timeout bounds each read and write; the interrupt callback bounds connecting and the run.
        options.set("rw_timeout", std::to_string(budget.remainingTime().count() * 1000));
        options.set("protocol_whitelist", "http,https,tcp,tls");
        options.set("user_agent", "encoder-watchdog audio check");
        options.set("icy", "0");         // plain audio: no interleaved ICY metadata
        options.set("seekable", "0");    // never ask for ranges: we read each input once, in order
        options.set("tls_verify", "1");  // libavformat's default is not to verify certificates
        if (!caFile.empty()) options.set("ca_file", caFile);
    } else {
        url = "file:" + location;  // a name holding ':' stays a file name
        options.set("protocol_whitelist", "file");
    }
    AVIOInterruptCB cb = budget.callback();
    const int err = avio_open2(&io_, url.c_str(), AVIO_FLAG_READ, &cb, &options.dict);
    if (err < 0) throw AudioError("cannot open " + location + ": " + explain(err));
}

AvInput::~AvInput() {
    if (custom_ != nullptr) {
        av_freep(&custom_->buffer);
        avio_context_free(&custom_);
    }
    if (io_ != nullptr) avio_closep(&io_);
}

int AvInput::read(std::uint8_t* buffer, int size) {
    if (replayed_ < peeked_.size()) {
        const std::size_t n = std::min(static_cast<std::size_t>(size), peeked_.size() - replayed_);
        std::memcpy(buffer, peeked_.data() + replayed_, n);
        replayed_ += n;
        return static_cast<int>(n);
    }
    if (budget_.remainingBytes() == 0) {
        budget_.consume(1);
        return AVERROR(EFBIG);
    }
    size = static_cast<int>(std::min<unsigned long long>(static_cast<unsigned long long>(size), budget_.remainingBytes()));
    // Partial reads: a live stream hands over what has arrived instead of waiting for a full buffer.
    const auto start = std::chrono::steady_clock::now();
    const int n = avio_read_partial(io_, buffer, size);
    lastReadWaited_ = std::chrono::steady_clock::now() - start >= kLiveEdgeWait;
    // Kept now: by the time the demuxer gives up, a decoder may have logged something else.
    if (n < 0 && n != AVERROR_EOF && readFailure_.empty()) readFailure_ = avErrorText(n);
    if (n > 0) {
        budget_.consume(static_cast<std::size_t>(n));
        bytesRead_ += static_cast<unsigned long long>(n);
    }
    return n == 0 ? AVERROR_EOF : n;
}

int AvInput::readThunk(void* opaque, std::uint8_t* buffer, int size) { return static_cast<AvInput*>(opaque)->read(buffer, size); }

std::string AvInput::peek(std::size_t n) {
    while (peeked_.size() < n) {
        std::uint8_t chunk[4096];
        const int want = static_cast<int>(std::min(sizeof chunk, n - peeked_.size()));
        const std::size_t before = replayed_;
        replayed_ = peeked_.size();  // read() must not replay while we peek
        const int got = read(chunk, want);
        replayed_ = before;
        if (got == AVERROR_EOF) break;
        // An error after some data: what came may say more (an HTML page); the error comes back later.
        if (got < 0 && !peeked_.empty() && budget_.stop() == BudgetStop::None) break;
        if (got < 0) throw AudioError(location_ + ": " + explain(got));
        peeked_.append(reinterpret_cast<const char*>(chunk), static_cast<std::size_t>(got));
    }
    return peeked_.substr(0, std::min(n, peeked_.size()));
}

std::string AvInput::readText(std::size_t maxBytes) {
    std::string text = peek(maxBytes + 1);
    if (text.size() > maxBytes) throw AudioError(location_ + " is larger than " + formatBytes(maxBytes) + ": not a playlist");
    return text;
}

AVIOContext* AvInput::stream() {
    if (custom_ != nullptr) return custom_;
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
    if (buffer == nullptr) throw AudioError("out of memory");
    custom_ = avio_alloc_context(buffer, kIoBufferBytes, 0, this, &AvInput::readThunk, nullptr, nullptr);
    if (custom_ == nullptr) {
        av_free(buffer);
        throw AudioError("out of memory");
    }
    custom_->seekable = 0;
    return custom_;
}

std::string AvInput::mimeType() const {
    if (io_ == nullptr) return "";
    std::uint8_t* value = nullptr;
    if (av_opt_get(io_, "mime_type", AV_OPT_SEARCH_CHILDREN, &value) < 0 || value == nullptr) return "";
    std::string out = reinterpret_cast<const char*>(value);
    av_free(value);
    return out;
}

std::string AvInput::explain(int averror) const {
    switch (budget_.stop()) {
        case BudgetStop::Deadline:
            return (bytesRead_ == 0 ? "no data within " : "timed out after ") + human::duration(budget_.limit());
        case BudgetStop::Cancelled:
            return "cancelled (the check timed out or the watchdog is stopping)";
        case BudgetStop::Bytes:
            return "stopped after reading max_bytes (" + formatBytes(budget_.maxBytes()) + " in this run)";
        case BudgetStop::None:
            break;
    }
    return readFailure_.empty() ? avErrorText(averror) : readFailure_;
}

}  // namespace watchdog::audio
