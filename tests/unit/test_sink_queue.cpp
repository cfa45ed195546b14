#include "history/SinkQueue.h"
#include "history/Spool.h"

#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <thread>

#include <csignal>
#include <sys/resource.h>
#include <unistd.h>

using namespace watchdog;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

// What a fake sink saw; shared with the test so it outlives the queue (and a thread left hanging).
struct SinkLog {
    std::mutex mutex;
    std::condition_variable release;
    std::vector<Record> stored;  // every record accepted, duplicates included
    std::vector<std::size_t> batchSizes;
    int writeFailuresLeft = 0;  // write() throws while > 0
    int openFailuresLeft = 0;   // open() throws while > 0
    bool alwaysFail = false;
    bool hang = false;                   // write() blocks until hang is cleared
    std::chrono::milliseconds delay{0};  // each write() takes this long (a slow database)
    int opens = 0;
    int closes = 0;

    std::size_t count() {
        std::lock_guard<std::mutex> lock(mutex);
        return stored.size();
    }
    std::vector<std::uint64_t> sequences() {
        std::lock_guard<std::mutex> lock(mutex);
        return sequencesOf(stored);
    }
};

class FakeSink : public Sink {
public:
    explicit FakeSink(std::shared_ptr<SinkLog> log) : log_(std::move(log)) {}
    void configure(const Options&) override {}
    void open() override {
        std::lock_guard<std::mutex> lock(log_->mutex);
        if (log_->openFailuresLeft > 0) {
            --log_->openFailuresLeft;
            throw std::runtime_error("connection refused");
        }
        ++log_->opens;
    }
    void write(const std::vector<Record>& batch) override {
        std::unique_lock<std::mutex> lock(log_->mutex);
        log_->release.wait(lock, [&] { return !log_->hang; });
        if (log_->delay.count() > 0) {
            lock.unlock();
            std::this_thread::sleep_for(log_->delay);
            lock.lock();
        }
        if (log_->alwaysFail) throw std::runtime_error("database is locked");
        if (log_->writeFailuresLeft > 0) {
            --log_->writeFailuresLeft;
            throw std::runtime_error("server has gone away");
        }
        log_->stored.insert(log_->stored.end(), batch.begin(), batch.end());
        log_->batchSizes.push_back(batch.size());
    }
    void close() override {
        std::lock_guard<std::mutex> lock(log_->mutex);
        ++log_->closes;
    }

private:
    std::shared_ptr<SinkLog> log_;
};

SinkQueueSettings fastSettings(const std::string& spoolDir) {
    SinkQueueSettings s;
    s.spoolDirectory = spoolDir;
    s.maxBatch = 50;
    s.maxDelay = 5ms;
    s.retryMin = 5ms;
    s.retryMax = 40ms;
    return s;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> out(last - first + 1);
    std::iota(out.begin(), out.end(), first);
    return out;
}

void pushAll(SinkQueue& q, std::uint64_t first, std::uint64_t last) {
    for (const auto& r : sampleResults(first, last)) q.push(r);
}

/// A queue named `id` in front of a FakeSink writing to `log`; not started.
SinkQueue fakeQueue(const std::shared_ptr<SinkLog>& log, const SinkQueueSettings& settings, const std::string& id = "fake") {
    return SinkQueue(id, std::make_unique<FakeSink>(log), settings);
}

/// Waits up to `timeout` until the sink holds at least `n` records, then stops the queue; false if they never came.
bool stopOnceStored(SinkQueue& q, SinkLog& log, std::size_t n, std::chrono::milliseconds timeout) {
    const bool stored = waitUntil([&] { return log.count() >= n; }, timeout);
    q.stop(std::chrono::seconds(2));
    return stored;
}

}  // namespace

TEST_CASE("sink queue: a healthy sink gets every record once, in order, in bounded batches") {
    TempDir dir;
    auto log = std::make_shared<SinkLog>();
    SinkQueue q = fakeQueue(log, fastSettings(dir.file("spool")));
    CHECK(q.id() == "fake");
    q.start();
    pushAll(q, 1, 1000);
    REQUIRE(waitUntil([&] { return log->count() == 1000; }, 10s));
    CHECK(log->sequences() == range(1, 1000));
    for (auto n : log->batchSizes) CHECK(n <= 50);
    q.stop(2s);
    CHECK(log->closes == 1);
    const auto st = q.stats();
    CHECK(st.written == 1000);
    CHECK(st.failures == 0);
    CHECK(st.queued == 0);
    CHECK(st.spooledRecords == 0);
}

TEST_CASE("sink queue: a sink that fails a few times then works gets every record once, in order") {
    TempDir dir;
    auto log = std::make_shared<SinkLog>();
    log->writeFailuresLeft = 4;
    SinkQueue q = fakeQueue(log, fastSettings(dir.file("spool")));
    q.start();
    for (std::uint64_t s = 1; s <= 500; s += 50) {
        pushAll(q, s, s + 49);
        std::this_thread::sleep_for(2ms);  // records keep arriving during the outage
    }
    REQUIRE(stopOnceStored(q, *log, 500, 10s));
    CHECK(log->sequences() == range(1, 500));
    const auto st = q.stats();
    CHECK(st.failures == 4);
    CHECK(st.written == 500);
    CHECK(st.lastError.empty());
    CHECK(st.spooledRecords == 0);
    CHECK(st.dropped == 0);
}

TEST_CASE("sink queue: open() failing is retried like a write, nothing is lost") {
    TempDir dir;
    auto log = std::make_shared<SinkLog>();
    log->openFailuresLeft = 3;
    SinkQueue q = fakeQueue(log, fastSettings(dir.file("spool")));
    q.start();
    pushAll(q, 1, 120);
    REQUIRE(stopOnceStored(q, *log, 120, 10s));
    CHECK(log->sequences() == range(1, 120));
    CHECK(log->opens == 1);
    CHECK(q.stats().failures == 3);
}

TEST_CASE("sink queue: stop while the sink fails leaves everything in the spool; the next run replays it first") {
    TempDir dir;
    const std::string spoolDir = dir.file("spool");
    {
        auto log = std::make_shared<SinkLog>();
        log->alwaysFail = true;
        SinkQueue q = fakeQueue(log, fastSettings(spoolDir));
        q.start();
        pushAll(q, 1, 300);
        REQUIRE(waitUntil([&] { return q.stats().failures >= 2; }, 10s));
        pushAll(q, 301, 340);
        q.stop(2s);
        const auto st = q.stats();
        CHECK(st.spooledRecords == 340);
        CHECK(st.queued == 0);
        CHECK(st.lastError == "database is locked");
        CHECK(log->count() == 0);
    }
    {
        Spool spool(spoolDir, 1 << 30);  // what a restarted daemon finds on disk
        CHECK(spool.pendingRecords() == 340);
    }
    auto log = std::make_shared<SinkLog>();
    SinkQueue q = fakeQueue(log, fastSettings(spoolDir));
    q.start();
    pushAll(q, 341, 400);  // new records wait behind the spooled ones
    REQUIRE(stopOnceStored(q, *log, 400, 10s));
    CHECK(log->sequences() == range(1, 400));
    CHECK(q.stats().spooledRecords == 0);
    Spool after(spoolDir, 1 << 30);
    CHECK(after.empty());
}

TEST_CASE("sink queue: a full spool drops records, counts them and keeps the ones it holds in order") {
    TempDir dir;
    auto log = std::make_shared<SinkLog>();
    log->alwaysFail = true;
    auto settings = fastSettings(dir.file("spool"));
    settings.spoolLimitBytes = 8 * 1024;
    SinkQueue q = fakeQueue(log, settings);
    q.start();
    pushAll(q, 1, 400);
    REQUIRE(waitUntil([&] { return q.stats().queued == 0 && q.stats().dropped > 0; }, 10s));
    auto st = q.stats();
    CHECK(st.spoolBytes <= settings.spoolLimitBytes);
    CHECK(st.spooledRecords + st.dropped == 400);
    {
        std::lock_guard<std::mutex> lock(log->mutex);
        log->alwaysFail = false;
    }
    REQUIRE(waitUntil([&] { return q.stats().spooledRecords == 0; }, 10s));
    q.stop(2s);
    CHECK(log->sequences() == range(1, st.spooledRecords));
}

TEST_CASE("sink queue: a sink stuck inside write() cannot hold stop() past its bound; its records are spooled") {
    TempDir dir;
    const std::string spoolDir = dir.file("spool");
    auto log = std::make_shared<SinkLog>();
    log->hang = true;
    {
        SinkQueue q = fakeQueue(log, fastSettings(spoolDir));
        q.start();
        pushAll(q, 1, 80);
        REQUIRE(waitUntil([&] { return q.stats().queued == 80; }, 5s));
        q.stop(300ms);
    }
    {
        Spool spool(spoolDir, 1 << 30);
        CHECK(spool.pendingRecords() == 80);
        CHECK(sequencesOf(spool.peek(1000).records) == range(1, 80));
    }
    {
        std::lock_guard<std::mutex> lock(log->mutex);
        log->hang = false;  // the abandoned writer finishes its write; nothing of it touches the spool
    }
    log->release.notify_all();
    REQUIRE(waitUntil([&] { return log->count() > 0; }, 5s));
    std::this_thread::sleep_for(50ms);
    Spool spool(spoolDir, 1 << 30);
    CHECK(spool.pendingRecords() == 80);
}

TEST_CASE("sink queue: a spool directory that cannot be created fails start() naming the sink and the path") {
    TempDir dir;
    dir.write("blocker", "x");
    auto log = std::make_shared<SinkLog>();
    SinkQueue q = fakeQueue(log, fastSettings(dir.file("blocker/spool")), "sqlite");
    CHECK_THROWS_WITH_AS(q.start(),
                         ("sink sqlite: cannot create spool directory " + dir.file("blocker/spool") +
                          "/: Cannot open file (not a directory: " + dir.file("blocker/spool") + ")")
                             .c_str(),
                         std::runtime_error);
}

namespace {

// Collects what a logger prints, as an operator reading the log would see it.
class CapturedLog : public Poco::Channel {
public:
    void log(const Poco::Message& message) override {
        std::lock_guard<std::mutex> lock(mutex_);
        text_ += std::to_string(static_cast<int>(message.getPriority())) + " " + message.getText() + "\n";
    }
    std::string text() {
        std::lock_guard<std::mutex> lock(mutex_);
        return text_;
    }

private:
    std::mutex mutex_;
    std::string text_;
};

}  // namespace

TEST_CASE("sink queue: a failing sink and a full spool are logged loudly under watchdog.sink.<id>") {
    TempDir dir;
    Poco::AutoPtr<CapturedLog> captured(new CapturedLog);
    Poco::Logger& logger = Poco::Logger::get("watchdog.sink.mysql");
    logger.setChannel(captured);
    logger.setLevel(Poco::Message::PRIO_INFORMATION);
    auto log = std::make_shared<SinkLog>();
    log->alwaysFail = true;
    auto settings = fastSettings(dir.file("spool"));
    settings.spoolLimitBytes = 4 * 1024;
    SinkQueue q = fakeQueue(log, settings, "mysql");
    q.start();
    pushAll(q, 1, 200);
    REQUIRE(waitUntil([&] { return q.stats().queued == 0 && q.stats().dropped > 0; }, 10s));
    q.stop(1s);
    const std::string text = captured->text();
    // PRIO_WARNING is 4, PRIO_ERROR is 3.
    CHECK(text.find("4 sink mysql cannot write: database is locked; records are kept in the spool " + dir.file("spool") +
                    "/spool.jsonl, retrying in 5 ms") != std::string::npos);
    CHECK(text.find("3 sink mysql: SPOOL FULL (") != std::string::npos);
    CHECK(text.find(" bytes, limit 4096) at " + dir.file("spool") + "/spool.jsonl: DROPPING RECORDS, ") != std::string::npos);
    CHECK(text.find("[ERRFMT]") == std::string::npos);
    CHECK(text.find("DROPPING RECORDS") != std::string::npos);
    CHECK(text.find("fix the sink or raise the spool limit") != std::string::npos);
    logger.setChannel(nullptr);
}

TEST_CASE("sink queue: a record pushed after stop() is kept in the spool, not lost") {
    TempDir dir;
    auto log = std::make_shared<SinkLog>();
    {
        SinkQueue q = fakeQueue(log, fastSettings(dir.file("spool")));
        q.start();
        pushAll(q, 1, 10);
        q.stop(2s);
        pushAll(q, 11, 12);
        CHECK(q.stats().spooledRecords == 2);
    }
    CHECK(log->sequences() == range(1, 10));
    SinkQueue again = fakeQueue(log, fastSettings(dir.file("spool")));
    again.start();
    REQUIRE(waitUntil([&] { return log->count() == 12; }, 5s));
    again.stop(2s);
    CHECK(log->sequences() == range(1, 12));
}

TEST_CASE("sink queue: while the sink hangs in write() its batch and newer records reach the spool; none twice after") {
    TempDir dir;
    auto log = std::make_shared<SinkLog>();
    log->hang = true;
    auto settings = fastSettings(dir.file("spool"));
    settings.stuckAfter = std::chrono::milliseconds(50);
    SinkQueue q = fakeQueue(log, settings);
    q.start();
    pushAll(q, 1, 50);  // one batch: taken by the writer, which then hangs
    REQUIRE(waitUntil([&] { return q.stats().spooledRecords == 50; }, 5s));
    pushAll(q, 51, 80);
    REQUIRE(waitUntil([&] { return q.stats().spooledRecords == 80; }, 5s));
    CHECK(q.stats().queued == 0);  // a SIGKILL now would lose nothing
    {
        std::lock_guard<std::mutex> lock(log->mutex);
        log->hang = false;  // the write succeeds after all: its copy leaves the spool, the rest replays
    }
    log->release.notify_all();
    pushAll(q, 81, 90);
    REQUIRE(stopOnceStored(q, *log, 90, 5s));
    CHECK(log->sequences() == range(1, 90));
    CHECK(q.stats().spooledRecords == 0);
}

TEST_CASE("sink queue: records arriving during a long replay wait on disk behind it, not in memory") {
    TempDir dir;
    const std::string spoolDir = dir.file("spool");
    {
        Spool spool(spoolDir, 1ULL << 30);
        spool.append(sampleResults(1, 2000));
    }
    auto log = std::make_shared<SinkLog>();
    log->delay = std::chrono::milliseconds(25);
    SinkQueue q = fakeQueue(log, fastSettings(spoolDir));  // 50 per batch: 40 slow writes
    q.start();
    REQUIRE(waitUntil([&] { return log->count() > 0; }, 5s));
    pushAll(q, 2001, 2010);
    // Spooled within maxDelay while the replay is still going.
    CHECK(waitUntil([&] { return q.stats().queued == 0; }, 5s));
    CHECK(log->count() < 2000);
    REQUIRE(stopOnceStored(q, *log, 2010, 20s));
    CHECK(log->sequences() == range(1, 2010));
}

TEST_CASE("sink queue: with the sink down and the spool unwritable, memory stays bounded and every loss is counted and logged") {
    TempDir dir;
    Poco::AutoPtr<CapturedLog> captured(new CapturedLog);
    Poco::Logger& logger = Poco::Logger::get("watchdog.sink.lossy");
    logger.setChannel(captured);
    logger.setLevel(Poco::Message::PRIO_INFORMATION);
    auto log = std::make_shared<SinkLog>();
    log->alwaysFail = true;
    auto settings = fastSettings(dir.file("spool"));
    settings.memoryLimit = 100;
    SinkQueue q = fakeQueue(log, settings, "lossy");
    q.start();
    // A full disk: no file of this process may grow past what the spool holds now (EFBIG, not SIGXFSZ).
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit previousLimit{};
    ::getrlimit(RLIMIT_FSIZE, &previousLimit);
    rlimit full = previousLimit;
    full.rlim_cur = static_cast<rlim_t>(Poco::File(dir.file("spool/spool.jsonl")).getSize());
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &full) == 0);
    pushAll(q, 1, 300);
    CHECK(q.stats().queued <= 100);
    CHECK(q.stats().dropped >= 100);
    q.stop(300ms);
    ::setrlimit(RLIMIT_FSIZE, &previousLimit);
    std::signal(SIGXFSZ, previousHandler);
    CHECK(q.stats().dropped == 300);
    CHECK(q.stats().queued == 0);
    const std::string text = captured->text();
    CHECK(text.find("3 sink lossy: LOST ") != std::string::npos);
    CHECK(text.find(" (more than 100 waiting in memory while the sink and its spool fail; oldest first)") != std::string::npos);
    CHECK(text.find(" (at stop: the sink is down and the spool " + dir.file("spool") +
                    "/spool.jsonl cannot be written); 300 lost so far") != std::string::npos);
    logger.setChannel(nullptr);
}
