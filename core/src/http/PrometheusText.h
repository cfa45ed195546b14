#pragma once

#include "engine/EngineStatus.h"

#include <cstdint>
#include <string>

namespace watchdog {

/// Facts about this process for the process_* metrics.
struct ProcessFacts {
    std::uint64_t residentBytes = 0;  ///< resident set size; 0 if unknown
    int openFds = -1;                 ///< open file descriptors; -1 if unknown
};

/// Reads ProcessFacts from /proc/self (zeros where it cannot).
ProcessFacts readProcessFacts();

/// The body of GET /metrics in the Prometheus text exposition format 0.0.4.
std::string renderPrometheusText(const StatusSnapshot& snapshot, const ProcessFacts& process);

/// "a\"b" -> "a\\\"b": a label value escaped as the text format asks (backslash, quote, newline);
/// other control characters become visible escapes ("\\x1b"), bytes that are not UTF-8 U+FFFD.
std::string escapeLabelValue(const std::string& value);

}  // namespace watchdog
