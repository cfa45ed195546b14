#pragma once

// Text for people: Discord messages, `check` and `history` tables, check summaries. Machine output
// (--json, /status, /metrics, database rows) keeps the raw value and unit instead.

#include <watchdog/Abi.h>

#include <chrono>
#include <string>

namespace watchdog::human {

/// "450 ms", "9.4 s" ("10 s" when whole), then two units, the smaller rounded: "2 min 10 s", "3 h 5 min", "2 d 4 h".
WATCHDOG_API std::string duration(std::chrono::milliseconds d);

/// Three significant digits, never an exponent, no trailing zeros: "2.22", "42.6", "12346", "0.00123", "42".
WATCHDOG_API std::string number(double value);

/// One decimal and a spaced sign: "2.2 %"; a whole number has no decimal: "100 %".
WATCHDOG_API std::string percent(double value);

/// A value and its unit: "%" as percent(), "s"/"ms" as duration(), else number() and the unit ("1 source", "12 LUFS").
WATCHDOG_API std::string quantity(double value, const std::string& unit);

/// "1 source", "0 sources", "2 processes", "3 entries": the regular English plural of `singular`.
WATCHDOG_API std::string count(long long n, const std::string& singular);

/// The same with an irregular plural: count(2, "child", "children").
WATCHDOG_API std::string count(long long n, const std::string& singular, const std::string& plural);

}  // namespace watchdog::human
