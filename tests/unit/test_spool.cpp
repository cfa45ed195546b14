#include "history/Spool.h"

#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <fstream>
#include <numeric>

using namespace watchdog;
using namespace watchdog::test;

namespace {

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> out(last - first + 1);
    std::iota(out.begin(), out.end(), first);
    return out;
}

// Replays everything the spool holds, committing each batch, and returns the sequences seen.
std::vector<std::uint64_t> drain(Spool& spool, std::size_t batchSize) {
    std::vector<std::uint64_t> seen;
    while (!spool.empty()) {
        auto batch = spool.peek(batchSize);
        for (auto s : sequencesOf(batch.records)) seen.push_back(s);
        spool.commit(batch);
    }
    return seen;
}

}  // namespace

TEST_CASE("spool: appended records replay in order, once, and the file is emptied afterwards") {
    TempDir dir;
    Spool spool(dir.file("s"), 1 << 20);
    CHECK(spool.empty());
    CHECK(spool.append(sampleResults(1, 10)) == 10);
    CHECK(spool.append({sampleEvent(11)}) == 1);
    CHECK(spool.pendingRecords() == 11);

    auto first = spool.peek(4);
    CHECK(sequencesOf(first.records) == range(1, 4));
    CHECK(sequencesOf(spool.peek(4).records) == range(1, 4));  // peek does not move the offset
    spool.commit(first);
    CHECK(spool.pendingRecords() == 7);

    auto rest = spool.peek(100);
    REQUIRE(rest.records.size() == 7);
    CHECK(rest.records.back().kind == RecordKind::Event);
    CHECK(rest.records.back().event.summary == "2 of 4 checks failing; starting the backup in 5m");
    CHECK(rest.records.front().result.details == Details{{"mount", "/live"}, {"listeners", "12"}});
    const auto sizeBefore = spool.bytes();
    spool.commit(rest);
    CHECK(spool.empty());
    CHECK(spool.bytes() < sizeBefore);
    CHECK(spool.bytes() < 100);  // only the header line is left
    CHECK(readFile(dir.file("s/spool.offset")).empty());
}

TEST_CASE("spool: a spool left by an earlier run is picked up at its replay offset") {
    TempDir dir;
    {
        Spool spool(dir.file("s"), 1 << 20);
        spool.append(sampleResults(1, 10));
        spool.commit(spool.peek(3));
    }
    Spool reopened(dir.file("s"), 1 << 20);
    CHECK(reopened.pendingRecords() == 7);
    CHECK(drain(reopened, 4) == range(4, 10));
}

TEST_CASE("spool: a crash in the middle of a replay re-offers only the batch that was not committed") {
    TempDir dir;
    {
        Spool spool(dir.file("s"), 1 << 20);
        spool.append(sampleResults(1, 100));
        spool.commit(spool.peek(30));    // stored by the sink and committed
        auto inFlight = spool.peek(30);  // handed to the sink, then the process dies before commit
        CHECK(sequencesOf(inFlight.records) == range(31, 60));
    }
    Spool reopened(dir.file("s"), 1 << 20);
    CHECK(reopened.pendingRecords() == 70);
    CHECK(drain(reopened, 30) == range(31, 100));
}

TEST_CASE("spool: a torn last line from a crash during append is cut off on open") {
    TempDir dir;
    {
        Spool spool(dir.file("s"), 1 << 20);
        spool.append(sampleResults(1, 3));
    }
    {
        std::ofstream f(dir.file("s/spool.jsonl"), std::ios::app);
        f << R"({"kind":"result","seq":4,"time":"2026-11-24T03:0)";
    }
    Spool reopened(dir.file("s"), 1 << 20);
    CHECK(reopened.pendingRecords() == 3);
    reopened.append(sampleResults(4, 5));
    CHECK(drain(reopened, 10) == range(1, 5));
    CHECK(reopened.skippedLines() == 0);
}

TEST_CASE("spool: an unreadable line in the middle is skipped and counted, the rest replays") {
    TempDir dir;
    {
        Spool spool(dir.file("s"), 1 << 20);
        spool.append(sampleResults(1, 2));
    }
    {
        std::ofstream f(dir.file("s/spool.jsonl"), std::ios::app);
        f << "this is not json\n";
    }
    Spool reopened(dir.file("s"), 1 << 20);
    reopened.append(sampleResults(3, 4));
    CHECK(reopened.pendingRecords() == 5);
    CHECK(drain(reopened, 10) == std::vector<std::uint64_t>{1, 2, 3, 4});
    CHECK(reopened.skippedLines() == 1);
}

TEST_CASE("spool: past its size limit it refuses records and never grows beyond the limit") {
    TempDir dir;
    const unsigned long long limit = 4096;
    Spool spool(dir.file("s"), limit);
    const std::size_t accepted = spool.append(sampleResults(1, 100));
    CHECK(accepted > 0);
    CHECK(accepted < 100);
    CHECK(spool.bytes() <= limit);
    CHECK(spool.append(sampleResults(101, 101)) == 0);
    CHECK(drain(spool, 1000) == range(1, accepted));
    CHECK(spool.append(sampleResults(200, 201)) == 2);  // room again once replayed
}

TEST_CASE("spool: an offset file from an earlier generation of the spool is ignored") {
    TempDir dir;
    std::string staleOffset;
    {
        Spool spool(dir.file("s"), 1 << 20);
        spool.append(sampleResults(1, 10));
        spool.commit(spool.peek(5));
        staleOffset = readFile(dir.file("s/spool.offset"));
        spool.commit(spool.peek(5));  // drained: the file starts a new generation
        spool.append(sampleResults(11, 12));
    }
    REQUIRE(!staleOffset.empty());
    dir.write("s/spool.offset", staleOffset);  // e.g. a crash between the truncation and the unlink
    Spool reopened(dir.file("s"), 1 << 20);
    CHECK(drain(reopened, 10) == range(11, 12));
}

TEST_CASE("spool: a directory that cannot be created gives an error naming it") {
    TempDir dir;
    dir.write("file", "x");
    CHECK_THROWS_WITH_AS(Spool(dir.file("file/spool"), 1 << 20), doctest::Contains(dir.file("file/spool").c_str()), std::runtime_error);
}

TEST_CASE("spool: a spool larger than the read chunk reopens with the right count and a torn tail cut") {
    TempDir dir;
    {
        Spool spool(dir.file("s"), 1ULL << 30);
        const auto records = sampleResults(1, 8000);  // ~2 MB: more than one 1 MB chunk
        spool.append(records);
        spool.commit(spool.peek(1000));
        CHECK(spool.bytes() > (2u << 20) - (300u << 10));
    }
    {
        std::ofstream f(dir.file("s/spool.jsonl"), std::ios::app);
        f << R"({"kind":"result","seq":8001,"time")";
    }
    Spool reopened(dir.file("s"), 1ULL << 30);
    CHECK(reopened.pendingRecords() == 7000);
    CHECK(drain(reopened, 500) == range(1001, 8000));
}
