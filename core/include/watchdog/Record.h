#pragma once

#include <watchdog/Clock.h>
#include <watchdog/Event.h>
#include <watchdog/Result.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace watchdog {

/// Whether a record holds a check result or an event.
enum class RecordKind { Result, Event };

/// One line of history: every check result and every event becomes one.
struct Record {
    RecordKind kind = RecordKind::Result;
    std::uint64_t sequence = 0;  ///< increases by one per record, across restarts; sinks may use it to skip replays
    TimePoint time{};
    std::string pipeline;                   ///< watchdog.name
    std::string checkId;                    ///< Result: the check's id
    std::string checkLabel;                 ///< Result: its display name (MySQL's `parameter`)
    Result result;                          ///< Result: what the check saw
    std::chrono::milliseconds duration{0};  ///< Result: how long the run took
    Event event;                            ///< Event: the event
};

}  // namespace watchdog
