#include "http/PrometheusText.h"

#include "http/HaMetrics.h"
#include "http/TextEscaping.h"

#include <Poco/DirectoryIterator.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace watchdog {

namespace {

// Format: https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4).
// Names: https://prometheus.io/docs/practices/naming/ (base units: seconds, bytes; _total for counters).
class MetricWriter {
public:
    void family(const char* name, const char* type, const char* help) {
        out_ << "# HELP " << name << ' ' << help << '\n' << "# TYPE " << name << ' ' << type << '\n';
    }
    void sample(const char* name, std::initializer_list<std::pair<const char*, std::string>> labels, double value) {
        out_ << name;
        if (labels.size() > 0) {
            out_ << '{';
            bool first = true;
            for (const auto& [key, v] : labels) {
                if (!first) out_ << ',';
                first = false;
                out_ << key << "=\"" << escapeLabelValue(v) << '"';
            }
            out_ << '}';
        }
        out_ << ' ' << number(value) << '\n';
    }
    /// A sample whose label names come from a plugin: they must already be valid and distinct.
    void sample(const char* name, const Details& labels, double value) {
        out_ << name << '{';
        bool first = true;
        for (const auto& [key, v] : labels) {
            if (!first) out_ << ',';
            first = false;
            out_ << key << "=\"" << escapeLabelValue(v) << '"';
        }
        out_ << "} " << number(value) << '\n';
    }
    std::string text() const { return out_.str(); }

private:
    static std::string number(double v) {
        if (std::isnan(v)) return "NaN";
        if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.15g", v);
        return buf;
    }
    std::ostringstream out_;
};

// A plugin's label name as Prometheus takes it ([a-zA-Z_][a-zA-Z0-9_]*, no leading "__"); the labels
// the family sets itself (check, name) and repeated names are kept apart with a "label_" prefix.
std::string labelName(const std::string& key, const Details& taken) {
    std::string out;
    for (char c : key) out += std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80 ? c : '_';
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front())) || out.rfind("__", 0) == 0) out = "label_" + out;
    const auto isTaken = [&taken](const std::string& n) {
        for (const auto& [k, v] : taken)
            if (k == n) return true;
        return false;
    };
    while (isTaken(out)) out = "label_" + out;
    return out;
}

Details metricLabels(const std::string& check, const Metric& metric) {
    Details labels{{"check", check}, {"name", metric.name}};
    for (const auto& [key, value] : metric.labels) labels.emplace_back(labelName(key, labels), value);
    return labels;
}

double seconds(TimePoint t) { return static_cast<double>(toEpochMs(t)) / 1000.0; }
double u(std::uint64_t v) { return static_cast<double>(v); }

void checkMetrics(MetricWriter& m, const StatusSnapshot& s) {
    m.family("watchdog_check_status", "gauge",
             "Health of each check after fail_after/pass_after: 1 for the state it is in, 0 for the others.");
    for (const auto& c : s.checks)
        for (Health h : {Health::Passing, Health::Failing, Health::Unknown})
            m.sample("watchdog_check_status", {{"check", c.snapshot.id}, {"label", c.snapshot.label}, {"state", toString(h)}},
                     c.snapshot.health == h ? 1 : 0);
    m.family("watchdog_check_flapping", "gauge",
             "1 while the check is flapping (its state changed flap.changes times within flap.within).");
    for (const auto& c : s.checks) m.sample("watchdog_check_flapping", {{"check", c.snapshot.id}}, c.snapshot.flapping ? 1 : 0);
    m.family("watchdog_check_value", "gauge", "The number the check measured last (sources, percent, files, seconds).");
    for (const auto& c : s.checks)
        if (c.snapshot.hasResult && c.snapshot.last.value)
            m.sample("watchdog_check_value", {{"check", c.snapshot.id}, {"unit", c.snapshot.last.unit}}, *c.snapshot.last.value);
    m.family(
        "watchdog_check_metric", "gauge",
        "Further numbers the check measured last, by name and the plugin's labels (e.g. icecast's reconnects and read_kbps per mount).");
    for (const auto& c : s.checks)
        if (c.snapshot.hasResult)
            for (const auto& metric : c.snapshot.last.metrics)
                m.sample("watchdog_check_metric", metricLabels(c.snapshot.id, metric), metric.value);
    m.family("watchdog_check_results_total", "counter", "Check results since start, by status (pass, fail, error).");
    for (const auto& c : s.checks) {
        m.sample("watchdog_check_results_total", {{"check", c.snapshot.id}, {"status", "pass"}}, u(c.passes));
        m.sample("watchdog_check_results_total", {{"check", c.snapshot.id}, {"status", "fail"}}, u(c.failures));
        m.sample("watchdog_check_results_total", {{"check", c.snapshot.id}, {"status", "error"}}, u(c.errors));
    }
    m.family("watchdog_check_last_run_timestamp_seconds", "gauge", "When the check's latest result arrived (Unix time).");
    for (const auto& c : s.checks)
        if (c.snapshot.hasResult)
            m.sample("watchdog_check_last_run_timestamp_seconds", {{"check", c.snapshot.id}}, seconds(c.snapshot.lastRun));
    m.family("watchdog_check_state_change_timestamp_seconds", "gauge", "When the check's health last changed (Unix time).");
    for (const auto& c : s.checks)
        if (c.snapshot.since != TimePoint{})
            m.sample("watchdog_check_state_change_timestamp_seconds", {{"check", c.snapshot.id}}, seconds(c.snapshot.since));
}

void ruleMetrics(MetricWriter& m, const StatusSnapshot& s) {
    m.family("watchdog_rule_state", "gauge",
             "Phase of each rule: 1 for the phase it is in (idle, pending, limited, fired, verifying, failing_back), 0 for the others.");
    for (const auto& r : s.rules)
        for (const char* phase : {"idle", "pending", "limited", "fired", "verifying", "failing_back"})
            m.sample("watchdog_rule_state", {{"rule", r.id}, {"state", phase}}, r.phase == phase ? 1 : 0);
    m.family("watchdog_rule_deadline_timestamp_seconds", "gauge",
             "When a pending rule runs its remedies, a limited one may run them again, a verifying one escalates, "
             "a failing-back one runs its failback (Unix time).");
    for (const auto& r : s.rules)
        if (r.deadline) m.sample("watchdog_rule_deadline_timestamp_seconds", {{"rule", r.id}}, seconds(*r.deadline));
    m.family("watchdog_maintenance_active", "gauge",
             "1 for each maintenance window in force (scope pipeline, check or rule; id the check or rule).");
    for (const auto& w : s.maintenance) m.sample("watchdog_maintenance_active", {{"scope", toString(w.scope)}, {"id", w.id}}, 1);
    m.family("watchdog_rule_remedy_runs", "gauge", "Remedy runs within the window of the rule's limit.");
    for (const auto& r : s.rules)
        if (r.limit) m.sample("watchdog_rule_remedy_runs", {{"rule", r.id}}, r.limit->runs);
    m.family("watchdog_rule_remedy_limit", "gauge", "Remedy runs the rule's limit allows per window.");
    for (const auto& r : s.rules)
        if (r.limit) m.sample("watchdog_rule_remedy_limit", {{"rule", r.id}}, r.limit->count);
}

void actionMetrics(MetricWriter& m, const StatusSnapshot& s) {
    m.family("watchdog_action_outcomes_total", "counter", "Action runs since start, by outcome (success, failure).");
    for (const auto& a : s.actions) {
        m.sample("watchdog_action_outcomes_total", {{"action", a.id}, {"plugin", a.plugin}, {"outcome", "success"}}, u(a.succeeded));
        m.sample("watchdog_action_outcomes_total", {{"action", a.id}, {"plugin", a.plugin}, {"outcome", "failure"}}, u(a.failed));
    }
    m.family("watchdog_action_queue_depth", "gauge", "Events waiting for the action's thread.");
    for (const auto& a : s.actions) m.sample("watchdog_action_queue_depth", {{"action", a.id}}, u(a.queued));
}

void sinkMetrics(MetricWriter& m, const StatusSnapshot& s) {
    m.family("watchdog_sink_queue_depth", "gauge", "Records in memory waiting for the sink.");
    for (const auto& k : s.sinks) m.sample("watchdog_sink_queue_depth", {{"sink", k.id}}, u(k.queue.queued));
    m.family("watchdog_sink_spool_records", "gauge", "Records kept in the sink's on-disk spool while it is down.");
    for (const auto& k : s.sinks) m.sample("watchdog_sink_spool_records", {{"sink", k.id}}, u(k.queue.spooledRecords));
    m.family("watchdog_sink_spool_bytes", "gauge", "Size of the sink's on-disk spool.");
    for (const auto& k : s.sinks) m.sample("watchdog_sink_spool_bytes", {{"sink", k.id}}, u(k.queue.spoolBytes));
    m.family("watchdog_sink_records_written_total", "counter", "Records the sink accepted since start.");
    for (const auto& k : s.sinks) m.sample("watchdog_sink_records_written_total", {{"sink", k.id}}, u(k.queue.written));
    m.family("watchdog_sink_write_failures_total", "counter", "Failed writes to the sink since start.");
    for (const auto& k : s.sinks) m.sample("watchdog_sink_write_failures_total", {{"sink", k.id}}, u(k.queue.failures));
    m.family("watchdog_sink_records_dropped_total", "counter",
             "Records lost since start: the spool was full, or neither the sink nor its spool could take them.");
    for (const auto& k : s.sinks) m.sample("watchdog_sink_records_dropped_total", {{"sink", k.id}}, u(k.queue.dropped));
}

}  // namespace

std::string escapeLabelValue(const std::string& value) {
    // The format escapes only backslash, quote and newline, and a scrape fails on bytes that are not
    // UTF-8; other control characters are written as visible text ("\\x1b" reads back as \x1b).
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size();) {
        char32_t c = 0;
        const std::size_t n = decodeUtf8(value, i, c);
        if (n == 0) {
            out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
            ++i;
            continue;
        }
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else if (isUnsafeCodePoint(c))
            out += "\\" + escapeForLog(value.substr(i, n));
        else
            out.append(value, i, n);
        i += n;
    }
    return out;
}

ProcessFacts readProcessFacts() {
    ProcessFacts facts;
    std::ifstream statm("/proc/self/statm");
    unsigned long long pages = 0, resident = 0;
    if (statm >> pages >> resident) facts.residentBytes = resident * static_cast<unsigned long long>(sysconf(_SC_PAGESIZE));
    try {
        int n = 0;
        for (Poco::DirectoryIterator it(std::string("/proc/self/fd")), end; it != end; ++it) ++n;
        facts.openFds = n;
    } catch (...) {
        facts.openFds = -1;
    }
    return facts;
}

std::string renderPrometheusText(const StatusSnapshot& snapshot, const ProcessFacts& process) {
    MetricWriter m;
    m.family("watchdog_build_info", "gauge", "Always 1; the version and pipeline name are labels.");
    m.sample("watchdog_build_info", {{"version", snapshot.version}, {"pipeline", snapshot.pipeline}}, 1);
    checkMetrics(m, snapshot);
    ruleMetrics(m, snapshot);
    actionMetrics(m, snapshot);
    sinkMetrics(m, snapshot);
    m.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    m.sample("process_start_time_seconds", {}, seconds(snapshot.started));
    if (process.residentBytes > 0) {
        m.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        m.sample("process_resident_memory_bytes", {}, u(process.residentBytes));
    }
    if (process.openFds >= 0) {
        m.family("process_open_fds", "gauge", "Number of open file descriptors.");
        m.sample("process_open_fds", {}, process.openFds);
    }
    return m.text() + (snapshot.ha ? haMetricsText(*snapshot.ha) : std::string());
}

}  // namespace watchdog
