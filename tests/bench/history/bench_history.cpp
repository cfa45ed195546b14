// Measures the SQLite sink (rows/s in batched transactions versus one transaction per row, in the
// same run) and the time to replay a 100k-record spool into SQLite through the SinkQueue.

#include "SqliteSink.h"

#include "config/ConfigNode.h"
#include "history/RecordJson.h"
#include "history/SinkQueue.h"
#include "history/Spool.h"

#include "SampleRecords.h"

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

using namespace watchdog;
using namespace watchdog::sqlite;
using Steady = std::chrono::steady_clock;

namespace {

double secondsOf(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

std::unique_ptr<SqliteSink> makeSink(const std::string& dir, const std::string& synchronous) {
    auto root = parseYaml("path: history.db\nsynchronous: " + synchronous + "\n", "bench.yaml");
    auto sink = std::make_unique<SqliteSink>();
    sink->configure(Options(root, "sinks[0]", dir));
    return sink;
}

std::string freshDir(const std::string& name) {
    std::string dir = Poco::TemporaryFile::tempName() + "-" + name + "/";
    Poco::File(dir).createDirectories();
    return dir;
}

double rowsPerSecond(const std::string& synchronous, std::size_t rows, std::size_t batch) {
    const std::string dir = freshDir("sqlite");
    auto sink = makeSink(dir, synchronous);
    sink->open();
    const auto records = test::sampleResults(1, rows);
    const auto start = Steady::now();
    for (std::size_t i = 0; i < rows; i += batch)
        sink->write(
            std::vector<Record>(records.begin() + static_cast<long>(i), records.begin() + static_cast<long>(std::min(rows, i + batch))));
    const double elapsed = secondsOf(Steady::now() - start);
    sink->close();
    Poco::File(dir).remove(true);
    return static_cast<double>(rows) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t replayRecords = argc > 1 ? std::stoul(argv[1]) : 100000;
    std::printf("sqlite sink, rows/s (%s)\n", "real file in /tmp, WAL");
    for (const char* sync : {"full", "normal"}) {
        const double batched = rowsPerSecond(sync, 50000, 500);
        const double single = rowsPerSecond(sync, 2000, 1);
        std::printf("  synchronous=%-6s batched (500/tx): %9.0f rows/s   one row per tx: %8.0f rows/s   (x%.0f)\n", sync, batched, single,
                    batched / single);
    }

    {
        const auto sample = test::sampleResults(1, 20000);
        auto start = Steady::now();
        std::vector<std::string> lines;
        for (const auto& r : sample) lines.push_back(recordToJsonLine(r));
        const double encode = secondsOf(Steady::now() - start);
        start = Steady::now();
        for (const auto& l : lines) (void)recordFromJsonLine(l);
        const double decode = secondsOf(Steady::now() - start);
        std::printf("record JSON: encode %.0f records/s, decode %.0f records/s\n", 20000 / encode, 20000 / decode);
    }

    const std::string dir = freshDir("replay");
    const auto records = test::sampleResults(1, replayRecords);
    {
        Spool spool(dir + "spool", 1ULL << 34);
        const auto start = Steady::now();
        for (std::size_t i = 0; i < records.size(); i += 500)
            spool.append(std::vector<Record>(records.begin() + static_cast<long>(i),
                                             records.begin() + static_cast<long>(std::min(records.size(), i + 500))));
        std::printf("spool: appended %zu records in batches of 500 (fsync each) in %.2f s, %.1f MB\n", records.size(),
                    secondsOf(Steady::now() - start), static_cast<double>(spool.bytes()) / 1e6);
    }
    // The spool's own cost: the same replay into a sink that stores nothing.
    {
        struct Discard : Sink {
            void configure(const Options&) override {}
            void write(const std::vector<Record>&) override {}
        };
        const std::string copy = freshDir("replay-discard");
        Poco::File(dir + "spool").copyTo(copy + "spool");
        SinkQueueSettings s;
        s.spoolDirectory = copy + "spool";
        s.spoolLimitBytes = 1ULL << 34;
        SinkQueue queue("discard", std::make_unique<Discard>(), s);
        const auto start = Steady::now();
        queue.start();
        while (queue.stats().written < replayRecords) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        const double elapsed = secondsOf(Steady::now() - start);
        queue.stop(std::chrono::seconds(10));
        std::printf("replay: %zu spooled records into a sink that discards them in %.2f s (%.0f records/s)\n", replayRecords, elapsed,
                    static_cast<double>(replayRecords) / elapsed);
        Poco::File(copy).remove(true);
    }
    SinkQueueSettings settings;
    settings.spoolDirectory = dir + "spool";
    settings.spoolLimitBytes = 1ULL << 34;
    SinkQueue queue("sqlite", makeSink(dir, "full"), settings);
    const auto start = Steady::now();
    queue.start();
    while (queue.stats().written < replayRecords) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const double elapsed = secondsOf(Steady::now() - start);
    queue.stop(std::chrono::seconds(10));
    std::printf("replay: %zu spooled records into sqlite (synchronous=full, batches of %zu) in %.2f s (%.0f records/s)\n", replayRecords,
                settings.maxBatch, elapsed, static_cast<double>(replayRecords) / elapsed);
    Poco::File(dir).remove(true);
    return 0;
}
