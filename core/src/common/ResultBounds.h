#pragma once

#include <watchdog/Action.h>
#include <watchdog/Result.h>

#include <cstddef>
#include <string>

namespace watchdog {

/// What one result or outcome may carry: a plugin (or the server it read) cannot make records, log
/// lines or messages grow without bound.
struct ResultLimits {
    static constexpr std::size_t summaryBytes = 1024;
    static constexpr std::size_t unitBytes = 32;
    static constexpr std::size_t detailCount = 64;
    static constexpr std::size_t detailKeyBytes = 64;
    static constexpr std::size_t detailValueBytes = 512;
    static constexpr std::size_t metricCount = 64;
    static constexpr std::size_t metricLabelCount = 4;
};

/// `text` cut to at most `maxBytes` (on a UTF-8 character boundary, "…" marking the cut) with control
/// characters shown as \n, \t, \r, \e or \xNN, so that text from a server cannot forge a log line or
/// send terminal escapes.
std::string printable(const std::string& text, std::size_t maxBytes);

/// Applies ResultLimits and printable() to a check's result; a cut detail list ends with
/// ("details", "N more not shown"); metrics past the limit are dropped.
void boundResult(Result& result);

/// The same for an action's outcome.
void boundOutcome(Outcome& outcome);

}  // namespace watchdog
