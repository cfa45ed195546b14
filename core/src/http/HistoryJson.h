#pragma once

#include <watchdog/Record.h>
#include <watchdog/Sink.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace watchdog {

/// A query string that GET /history cannot answer; what() is the one-line reason.
class BadHistoryQuery : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Reads GET /history's query string ("since=1h&check=icecast&limit=500"; all optional; since
/// defaults to 1h, limit to 5000, at most 100000). Throws BadHistoryQuery.
HistoryQuery parseHistoryQuery(const std::string& rawQuery, TimePoint now);

/// The body of GET /history: {"records":[...]}, oldest first, each in history/RecordJson.h's shape.
std::string renderHistoryJson(const std::vector<Record>& records);

}  // namespace watchdog
