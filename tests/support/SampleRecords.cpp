#include "SampleRecords.h"

namespace watchdog::test {

namespace {
const long long kBaseMs = 1795489200000LL;  // 2026-11-24T03:00:00Z
}

Record sampleResult(std::uint64_t sequence, const std::string& checkId, Status status) {
    Record r;
    r.kind = RecordKind::Result;
    r.sequence = sequence;
    r.time = fromEpochMs(kBaseMs + static_cast<long long>(sequence) * 1000);
    r.pipeline = "station-eu";
    r.checkId = checkId;
    r.checkLabel = checkId == "icecast" ? "Icecast Sources" : "HLS Old Files";
    r.result.status = status;
    r.result.summary = status == Status::Pass ? "1 source connected" : "no source connected";
    r.result.value = status == Status::Pass ? 1.0 : 0.0;
    r.result.unit = "sources";
    r.result.details = {{"mount", "/live"}, {"listeners", "12"}};
    r.duration = std::chrono::milliseconds(35);
    return r;
}

Record sampleEvent(std::uint64_t sequence, EventType type) {
    Record r;
    r.kind = RecordKind::Event;
    r.sequence = sequence;
    r.time = fromEpochMs(kBaseMs + static_cast<long long>(sequence) * 1000);
    r.pipeline = "station-eu";
    r.event.type = type;
    r.event.time = r.time;
    r.event.pipeline = r.pipeline;
    r.event.rule = "failover";
    r.event.incident = "inc-42";
    r.event.summary = "2 of 4 checks failing; starting the backup in 5m";
    r.event.failing = {"icecast", "ts_age"};
    r.event.deadline = r.time + std::chrono::minutes(5);
    r.event.details = {{"instance", "i-0abc"}};
    return r;
}

std::vector<Record> sampleResults(std::uint64_t first, std::uint64_t last) {
    std::vector<Record> out;
    for (std::uint64_t s = first; s <= last; ++s) out.push_back(sampleResult(s, s % 2 ? "icecast" : "ts_age"));
    return out;
}

std::vector<std::uint64_t> sequencesOf(const std::vector<Record>& records) {
    std::vector<std::uint64_t> out;
    for (const auto& r : records) out.push_back(r.sequence);
    return out;
}

}  // namespace watchdog::test
