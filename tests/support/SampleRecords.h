#pragma once

// Records for history tests (sinks, spool, sink queue): realistic fields, predictable values.

#include <watchdog/Record.h>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace watchdog::test {

/// A result record with the given sequence; time = 2026-11-24T03:00:00Z + seq seconds.
Record sampleResult(std::uint64_t sequence, const std::string& checkId = "icecast", Status status = Status::Pass);
/// An event record (a failover warning with a deadline, failing checks and details).
Record sampleEvent(std::uint64_t sequence, EventType type = EventType::Warning);
/// sampleResult for first..last, alternating checks icecast/ts_age.
std::vector<Record> sampleResults(std::uint64_t first, std::uint64_t last);
/// The sequences of records, in order.
std::vector<std::uint64_t> sequencesOf(const std::vector<Record>& records);

}  // namespace watchdog::test

// Lets CHECK(a == b) print record kinds by name. (Status and EventType need no help: doctest finds
// watchdog::toString by ADL, so compare them as toString(x) == std::string("fail").)
namespace doctest {
template <>
struct StringMaker<watchdog::RecordKind> {
    static String convert(watchdog::RecordKind k) { return k == watchdog::RecordKind::Event ? "event" : "result"; }
};
}  // namespace doctest
