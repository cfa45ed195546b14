#pragma once

// What a Nagios/Monitoring Plugins executable prints, as the plugin development guidelines define it:
//
//     TEXT OUTPUT | OPTIONAL PERFDATA
//     LONG TEXT LINE 1
//     LONG TEXT LINE N | PERFDATA LINE 2
//     PERFDATA LINE 3
//
// and performance data as space-separated 'label'=value[UOM];[warn];[crit];[min];[max].

#include <optional>
#include <string>
#include <vector>

namespace watchdog::nagios {

/// One performance data metric.
struct PerfMetric {
    std::string label;            ///< unquoted ('' inside quotes becomes ')
    std::optional<double> value;  ///< nullopt for the literal U ("could not be determined")
    std::string valueText;        ///< the value as printed ("0.000145", "U")
    std::string uom;              ///< unit of measurement as printed: "", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c", ...
    std::string warn;             ///< warning range as printed ("" when absent)
    std::string crit;             ///< critical range as printed
    std::string min;              ///< minimum as printed
    std::string max;              ///< maximum as printed

    /// For people: "0.000145s (warn 5, crit 10, min 0, max 10)", only the parts that are there.
    std::string describe() const;
};

/// Parses space-separated perfdata; tokens that do not follow the format go to `unparsed` (if given).
std::vector<PerfMetric> parsePerfdata(const std::string& text, std::vector<std::string>* unparsed = nullptr);

/// A plugin's standard output split as the guidelines say.
struct NagiosOutput {
    std::string text;                   ///< the first line before '|', trimmed
    std::vector<std::string> longText;  ///< the lines after the first, up to the one holding '|'
    std::vector<PerfMetric> perfdata;   ///< from the first line and from the long output's perfdata part
    std::vector<std::string> unparsed;  ///< perfdata tokens that did not parse
};

/// Splits a plugin's standard output (LF or CRLF lines; trailing empty lines ignored).
NagiosOutput parseNagiosOutput(const std::string& stdoutText);

}  // namespace watchdog::nagios
