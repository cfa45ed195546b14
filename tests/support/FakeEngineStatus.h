#pragma once

// A stand-in for the running engine, for tests and benchmarks of the status server: a fixed
// snapshot, a history list and a counter of status-report requests. Header-only (it needs the core's
// internal headers: link watchdog_core_internal).

#include "engine/EngineStatus.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>

namespace watchdog::test {

class FakeEngineStatus : public EngineStatus {
public:
    StatusSnapshot snapshot() const override {
        std::lock_guard<std::mutex> lock(mutex_);
        StatusSnapshot s = status_;
        s.now = std::chrono::system_clock::now();
        return s;
    }
    StatusReportDecision requestStatusReport() override {
        ++reports_;
        std::lock_guard<std::mutex> lock(mutex_);
        return decision_;
    }
    std::vector<Record> history(const HistoryQuery& query) const override {
        std::lock_guard<std::mutex> lock(mutex_);
        lastQuery_ = query;
        queries_.push_back(query);
        if (!historyAvailable_) throw std::runtime_error("no readable history sink (add sqlite to sinks:)");
        std::vector<Record> out;
        for (const auto& r : history_)
            if (r.time >= query.since && (query.checkId.empty() || r.kind == RecordKind::Event || r.checkId == query.checkId))
                out.push_back(r);
        if (out.size() > query.limit) out.erase(out.begin(), out.end() - static_cast<long>(query.limit));
        return out;
    }

    /// Replaces the snapshot.
    void setStatus(StatusSnapshot s) {
        std::lock_guard<std::mutex> lock(mutex_);
        status_ = std::move(s);
    }
    /// Replaces the history records (oldest first).
    void setHistory(std::vector<Record> h) {
        std::lock_guard<std::mutex> lock(mutex_);
        history_ = std::move(h);
    }
    /// false: history() throws as it does without a readable sink.
    void setHistoryAvailable(bool available) {
        std::lock_guard<std::mutex> lock(mutex_);
        historyAvailable_ = available;
    }
    /// What requestStatusReport() answers from now on (accepted by default).
    void setReportDecision(StatusReportDecision d) {
        std::lock_guard<std::mutex> lock(mutex_);
        decision_ = d;
    }
    /// How many times requestStatusReport() was called.
    int reports() const { return reports_; }
    /// The last query history() received.
    HistoryQuery lastQuery() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return lastQuery_;
    }
    /// Every query history() received, in order.
    std::vector<HistoryQuery> queries() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return queries_;
    }

private:
    mutable std::mutex mutex_;
    StatusSnapshot status_;
    std::vector<Record> history_;
    bool historyAvailable_ = true;
    mutable HistoryQuery lastQuery_;
    mutable std::vector<HistoryQuery> queries_;
    StatusReportDecision decision_;
    std::atomic<int> reports_{0};
};

/// A check's status for the sample station.
inline CheckStatus sampleCheck(const std::string& id, const std::string& label, const std::string& plugin, Health health, Result last,
                               TimePoint now) {
    CheckStatus c;
    c.snapshot.id = id;
    c.snapshot.label = label;
    c.snapshot.health = health;
    c.snapshot.hasResult = health != Health::Unknown;
    c.snapshot.last = std::move(last);
    c.snapshot.consecutive = 3;
    c.snapshot.since = now - std::chrono::minutes(20);
    c.snapshot.lastRun = now - std::chrono::seconds(5);
    c.plugin = plugin;
    c.interval = std::chrono::seconds(60);
    c.passes = 42;
    c.failures = 7;
    c.errors = 1;
    return c;
}

/// The old script's four checks (icecast passing, CPU failing, TS count passing, HLS age without a
/// result yet), the failover rule pending, Discord and AWS actions, a SQLite sink.
inline StatusSnapshot sampleStation(TimePoint now) {
    StatusSnapshot s;
    s.pipeline = "station-eu";
    s.version = "0.1.0";
    s.started = now - std::chrono::hours(2);
    s.now = now;
    s.checks.push_back(sampleCheck("icecast", "Icecast Sources", "icecast", Health::Passing,
                                   Result::pass("1 source connected").withValue(1, "sources").detail("/live", "12 listeners"), now));
    s.checks.push_back(sampleCheck("liquidsoap_cpu", "Liquidsoap CPU", "process_cpu", Health::Failing,
                                   Result::fail("liquidsoap uses 3.5% CPU (below 20%)").withValue(3.5, "%"), now));
    s.checks.push_back(sampleCheck("ts_count", "TS File Count", "hls_count", Health::Passing,
                                   Result::pass("12 .ts files (at most 20)").withValue(12, "files"), now));
    s.checks.push_back(sampleCheck("ts_age", "HLS Old Files", "hls_age", Health::Unknown, Result{}, now));
    RuleStatus failover{"failover", "pending", "inc-1", now + std::chrono::seconds(240)};
    RuleStatus status{"status", "idle", "", std::nullopt};
    s.rules = {failover, status};
    ActionStatus discord{"discord", "discord_notify", "notifier", 5, 1, 0};
    ActionStatus backup{"backup", "aws_start", "remedy", 0, 0, 0};
    s.actions = {discord, backup};
    SinkStatus sqlite{"sqlite", "sqlite", {}};
    sqlite.queue.queued = 2;
    sqlite.queue.spooledRecords = 10;
    sqlite.queue.spoolBytes = 2048;
    sqlite.queue.dropped = 7;
    sqlite.queue.written = 500;
    s.sinks = {sqlite};
    return s;
}

/// An hour of results every minute for the sample checks, plus one warning event.
inline std::vector<Record> sampleHistory(TimePoint now) {
    std::vector<Record> out;
    std::uint64_t seq = 1;
    for (int minute = 60; minute >= 1; --minute) {
        const TimePoint t = now - std::chrono::minutes(minute);
        auto add = [&](const std::string& id, const std::string& label, Result r) {
            Record rec;
            rec.kind = RecordKind::Result;
            rec.sequence = seq++;
            rec.time = t;
            rec.pipeline = "station-eu";
            rec.checkId = id;
            rec.checkLabel = label;
            rec.result = std::move(r);
            out.push_back(std::move(rec));
        };
        add("icecast", "Icecast Sources",
            minute % 17 == 0 ? Result::fail("no source").withValue(0, "sources") : Result::pass("1 source").withValue(1, "sources"));
        const double cpu = minute > 10 ? 25.0 + (minute % 7) : 3.5;
        add("liquidsoap_cpu", "Liquidsoap CPU", (cpu >= 20 ? Result::pass("ok") : Result::fail("idle")).withValue(cpu, "%"));
        add("ts_count", "TS File Count", Result::pass("ok").withValue(10 + minute % 5, "files"));
        if (minute == 10) {
            Record ev;
            ev.kind = RecordKind::Event;
            ev.sequence = seq++;
            ev.time = t;
            ev.pipeline = "station-eu";
            ev.event.type = EventType::Warning;
            ev.event.rule = "failover";
            ev.event.summary = "2 of 4 checks failing";
            out.push_back(std::move(ev));
        }
    }
    return out;
}

}  // namespace watchdog::test
