#pragma once

#include <watchdog/Abi.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace watchdog {

/// What one run of a check observed.
enum class Status {
    Pass,   ///< the check observed a healthy encoder
    Fail,   ///< the check observed a problem
    Error,  ///< the check could not observe (timeout, refused connection, exception); counts as failing
};

/// "pass", "fail" or "error".
WATCHDOG_API const char* toString(Status status);

/// Ordered key/value pairs carried with results, events and outcomes (e.g. per-mount listeners).
using Details = std::vector<std::pair<std::string, std::string>>;

/// A named number a check measured beside its value; /metrics exports each one as
/// watchdog_check_metric{check="ID",name="NAME",LABEL="..."} (e.g. one mount's reconnects).
struct WATCHDOG_API Metric {
    std::string name;  ///< what it counts, lower_snake_case ("reconnects", "read_kbps")
    double value = 0;  ///< the number
    Details labels;    ///< labels that tell one series from another, e.g. {"mount", "/live"}
};

/// The outcome of one check run.
struct WATCHDOG_API Result {
    Status status = Status::Error;
    std::string summary;          ///< one line a person reads ("1 source connected", "timed out after 10s")
    std::optional<double> value;  ///< the measured number, if any (source count, CPU percent, file age)
    std::string unit;             ///< unit of value ("sources", "%", "s", "files")
    Details details;              ///< extra facts in display order
    std::vector<Metric> metrics;  ///< further numbers for /metrics, in the order the check added them

    /// A passing result with this summary.
    static Result pass(std::string summary);
    /// A failing result with this summary.
    static Result fail(std::string summary);
    /// An error result with this summary.
    static Result error(std::string summary);

    /// Sets value and unit; returns *this for chaining.
    Result& withValue(double v, std::string u = {});
    /// Appends one detail; returns *this for chaining.
    Result& detail(std::string key, std::string value);
    /// Appends one metric; returns *this for chaining.
    Result& metric(std::string name, double value, Details labels = {});
};

}  // namespace watchdog
