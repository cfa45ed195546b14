#include "common/ResultBounds.h"

#include <cstdio>

namespace watchdog {

namespace {

std::string escaped(unsigned char c) {
    switch (c) {
        case '\n':
            return "\\n";
        case '\t':
            return "\\t";
        case '\r':
            return "\\r";
        case 0x1b:
            return "\\e";
        default: {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            return buf;
        }
    }
}

void boundDetails(Details& details) {
    if (details.size() > ResultLimits::detailCount) {
        const std::size_t hidden = details.size() - (ResultLimits::detailCount - 1);
        details.resize(ResultLimits::detailCount - 1);
        details.emplace_back("details", std::to_string(hidden) + " more not shown");
    }
    for (auto& [key, value] : details) {
        key = printable(key, ResultLimits::detailKeyBytes);
        value = printable(value, ResultLimits::detailValueBytes);
    }
}

void boundMetrics(std::vector<Metric>& metrics) {
    if (metrics.size() > ResultLimits::metricCount) metrics.resize(ResultLimits::metricCount);
    for (auto& m : metrics) {
        m.name = printable(m.name, ResultLimits::detailKeyBytes);
        if (m.labels.size() > ResultLimits::metricLabelCount) m.labels.resize(ResultLimits::metricLabelCount);
        for (auto& [key, value] : m.labels) {
            key = printable(key, ResultLimits::detailKeyBytes);
            value = printable(value, ResultLimits::detailValueBytes);
        }
    }
}

}  // namespace

std::string printable(const std::string& text, std::size_t maxBytes) {
    static const std::string ellipsis = "\u2026";
    const std::size_t room = maxBytes > ellipsis.size() ? maxBytes - ellipsis.size() : 0;
    std::string out;
    std::size_t fits = 0;  // the length of `out` at the last character boundary within `room`
    for (std::size_t i = 0; i < text.size() && out.size() <= maxBytes; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            out += escaped(c);
        } else {
            out += text[i];
            while (c >= 0x80 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) out += text[++i];
        }
        if (out.size() <= room) fits = out.size();
    }
    if (out.size() <= maxBytes) return out;
    out.resize(fits);
    return out + ellipsis;
}

void boundResult(Result& result) {
    result.summary = printable(result.summary, ResultLimits::summaryBytes);
    result.unit = printable(result.unit, ResultLimits::unitBytes);
    boundDetails(result.details);
    boundMetrics(result.metrics);
}

void boundOutcome(Outcome& outcome) {
    outcome.summary = printable(outcome.summary, ResultLimits::summaryBytes);
    boundDetails(outcome.details);
}

}  // namespace watchdog
