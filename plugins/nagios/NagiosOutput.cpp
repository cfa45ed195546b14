#include "NagiosOutput.h"

#include <cctype>
#include <charconv>

namespace watchdog::nagios {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// The number at the start of `text` as the guidelines allow ([-0-9.], an exponent tolerated), read
// without the C locale's help ("0,5" must never become 0); `used` says how many characters it took.
std::optional<double> leadingNumber(const std::string& text, std::size_t& used) {
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    const char* from = begin != end && *begin == '+' ? begin + 1 : begin;
    if (from == end || !(std::isdigit(static_cast<unsigned char>(*from)) || *from == '.' || *from == '-')) return std::nullopt;
    double v = 0;
    auto [ptr, ec] = std::from_chars(from, end, v);
    if (ec != std::errc()) return std::nullopt;
    used = static_cast<std::size_t>(ptr - begin);
    return v;
}

// Splits "value[UOM];warn;crit;min;max" into a metric; false when it is not that.
bool fillMetric(const std::string& data, PerfMetric& m) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        const auto semi = data.find(';', start);
        fields.push_back(data.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
        if (semi == std::string::npos) break;
        start = semi + 1;
    }
    if (fields.size() > 5) return false;
    const std::string& first = fields[0];
    std::size_t cut = 0;
    if (first.rfind('U', 0) == 0 && (first.size() == 1 || !std::isalpha(static_cast<unsigned char>(first[1])))) {
        m.valueText = "U";  // the value could not be determined
        cut = 1;
    } else {
        m.value = leadingNumber(first, cut);
        if (!m.value) return false;
        m.valueText = first.substr(0, cut);
    }
    m.uom = first.substr(cut);
    for (char c : m.uom)
        if (!std::isalpha(static_cast<unsigned char>(c)) && c != '%' && c != '/') return false;
    if (fields.size() > 1) m.warn = fields[1];
    if (fields.size() > 2) m.crit = fields[2];
    if (fields.size() > 3) m.min = fields[3];
    if (fields.size() > 4) m.max = fields[4];
    return true;
}

}  // namespace

std::string PerfMetric::describe() const {
    std::string limits;
    auto add = [&](const char* name, const std::string& v) {
        if (!v.empty()) limits += (limits.empty() ? "" : ", ") + std::string(name) + " " + v;
    };
    add("warn", warn);
    add("crit", crit);
    add("min", min);
    add("max", max);
    return valueText + uom + (limits.empty() ? "" : " (" + limits + ")");
}

std::vector<PerfMetric> parsePerfdata(const std::string& text, std::vector<std::string>* unparsed) {
    std::vector<PerfMetric> out;
    std::size_t i = 0;
    const std::size_t n = text.size();
    auto skipToken = [&](std::size_t from) {
        std::size_t j = from;
        while (j < n && !isSpace(text[j])) ++j;
        if (unparsed) unparsed->push_back(text.substr(from, j - from));
        i = j;
    };
    while (i < n) {
        while (i < n && isSpace(text[i])) ++i;
        if (i >= n) break;
        const std::size_t tokenStart = i;
        PerfMetric m;
        if (text[i] == '\'') {
            // A quoted label may hold spaces; '' is a quote.
            std::size_t j = i + 1;
            bool closed = false;
            while (j < n) {
                if (text[j] == '\'') {
                    if (j + 1 < n && text[j + 1] == '\'') {
                        m.label += '\'';
                        j += 2;
                        continue;
                    }
                    closed = true;
                    ++j;
                    break;
                }
                m.label += text[j++];
            }
            if (!closed || j >= n || text[j] != '=') {
                skipToken(tokenStart);
                continue;
            }
            i = j + 1;
        } else {
            std::size_t j = i;
            while (j < n && text[j] != '=' && !isSpace(text[j])) ++j;
            if (j >= n || text[j] != '=' || j == i) {
                skipToken(tokenStart);
                continue;
            }
            m.label = text.substr(i, j - i);
            i = j + 1;
        }
        std::size_t j = i;
        while (j < n && !isSpace(text[j])) ++j;
        std::string data = text.substr(i, j - i);
        // Nagios's own documentation writes "percent_packet_loss=0, rta=0.80": a comma between pairs.
        if (!data.empty() && data.back() == ',') data.pop_back();
        i = j;
        if (m.label.empty() || !fillMetric(data, m)) {
            if (unparsed) unparsed->push_back(text.substr(tokenStart, j - tokenStart));
            continue;
        }
        out.push_back(std::move(m));
    }
    return out;
}

NagiosOutput parseNagiosOutput(const std::string& stdoutText) {
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos < stdoutText.size();) {
        auto nl = stdoutText.find('\n', pos);
        if (nl == std::string::npos) nl = stdoutText.size();
        std::string line = stdoutText.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
        pos = nl + 1;
    }
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();

    NagiosOutput out;
    if (lines.empty()) return out;
    auto addPerf = [&](const std::string& text) {
        for (auto& m : parsePerfdata(text, &out.unparsed)) out.perfdata.push_back(std::move(m));
    };
    const auto bar = lines[0].find('|');
    out.text = trim(lines[0].substr(0, bar));
    if (bar != std::string::npos) addPerf(lines[0].substr(bar + 1));
    bool inPerf = false;
    for (std::size_t k = 1; k < lines.size(); ++k) {
        if (inPerf) {
            addPerf(lines[k]);
            continue;
        }
        const auto b = lines[k].find('|');
        if (b == std::string::npos) {
            out.longText.push_back(lines[k]);
            continue;
        }
        if (!trim(lines[k].substr(0, b)).empty()) out.longText.push_back(lines[k].substr(0, b));
        addPerf(lines[k].substr(b + 1));
        inPerf = true;
    }
    return out;
}

}  // namespace watchdog::nagios
