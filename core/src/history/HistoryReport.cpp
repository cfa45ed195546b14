#include "history/HistoryReport.h"

#include "history/MaintenancePeriods.h"
#include "history/RecordJson.h"

#include <watchdog/HumanFormat.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <map>

namespace watchdog {
namespace {

std::string valueText(const Result& r) { return r.value ? human::quantity(*r.value, r.unit) : "-"; }

std::string outcomeStatus(const Event& e) {
    if (isDryRun(e)) return e.ok ? "dry run" : "dry run failed";
    return e.ok ? "ok" : "failed";
}

// The window as the user asked for it: "1h" rather than "1h0m0s3ms" (the query was made a moment ago).
std::chrono::milliseconds roundWindow(std::chrono::milliseconds w) {
    using namespace std::chrono;
    if (w >= minutes(1)) return duration_cast<milliseconds>(minutes((w.count() + 30000) / 60000));
    if (w >= seconds(1)) return duration_cast<milliseconds>(seconds((w.count() + 500) / 1000));
    return w;
}

std::chrono::milliseconds windowOf(const std::vector<Record>& records, const HistoryQuery& query, TimePoint now) {
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    if (query.since != TimePoint{}) return roundWindow(std::max(milliseconds(0), duration_cast<milliseconds>(now - query.since)));
    if (records.empty()) return milliseconds(0);
    return roundWindow(duration_cast<milliseconds>(records.back().time - records.front().time));
}

struct Row {
    std::string time, what, status, value, summary;
};

Row rowOf(const Record& r) {
    Row row;
    row.time = toLocalSeconds(r.time);
    if (r.kind == RecordKind::Result) {
        row.what = r.checkLabel.empty() ? r.checkId : r.checkLabel;
        row.status = toString(r.result.status);
        row.value = valueText(r.result);
        row.summary = r.result.summary;
        return row;
    }
    const Event& e = r.event;
    row.what = std::string("event ") + toString(e.type);
    if (!e.rule.empty()) row.what += " (" + e.rule + ")";
    if (e.type == EventType::Outcome) {
        row.what += " " + e.action;
        row.status = outcomeStatus(e);
    } else if (e.type == EventType::CheckError) {
        row.status = "error";
    }
    row.value = e.duration ? human::duration(*e.duration) : "-";
    row.summary = e.summary;
    if (!e.failing.empty()) {
        std::string ids;
        for (const auto& id : e.failing) ids += (ids.empty() ? "" : ", ") + id;
        row.summary += " [failing: " + ids + "]";
    }
    return row;
}

void printTable(const std::vector<Record>& records, std::ostream& out) {
    std::vector<Row> rows;
    rows.push_back(Row{"TIME", "CHECK/EVENT", "STATUS", "VALUE", "SUMMARY"});
    for (const auto& r : records) rows.push_back(rowOf(r));
    std::size_t w[4] = {0, 0, 0, 0};
    for (const auto& row : rows) {
        w[0] = std::max(w[0], row.time.size());
        w[1] = std::max(w[1], row.what.size());
        w[2] = std::max(w[2], row.status.size());
        w[3] = std::max(w[3], row.value.size());
    }
    auto pad = [](const std::string& s, std::size_t width) { return s + std::string(width - s.size() + 2, ' '); };
    for (const auto& row : rows)
        out << pad(row.time, w[0]) << pad(row.what, w[1]) << pad(row.status, w[2]) << pad(row.value, w[3]) << row.summary << "\n";
}

}  // namespace

double CheckTally::passingPercent() const {
    const std::size_t total = pass + fail + error;
    return total == 0 ? 0.0 : 100.0 * static_cast<double>(pass) / static_cast<double>(total);
}

std::vector<CheckTally> tallyResults(const std::vector<Record>& records, TimePoint from, TimePoint to) {
    std::vector<CheckTally> tallies;
    if (records.empty()) return tallies;
    if (from == TimePoint{}) from = records.front().time;
    if (to == TimePoint{}) to = records.back().time;
    const auto periods = maintenancePeriods(records, to);
    std::map<std::string, std::size_t> index;
    for (const auto& r : records) {
        if (r.kind != RecordKind::Result) continue;
        auto it = index.find(r.checkId);
        if (it == index.end()) {
            it = index.emplace(r.checkId, tallies.size()).first;
            tallies.push_back(CheckTally{r.checkId, r.checkLabel});
        }
        CheckTally& t = tallies[it->second];
        if (inMaintenance(periods, r.checkId, r.time))
            ++t.leftOut;
        else if (r.result.status == Status::Pass)
            ++t.pass;
        else if (r.result.status == Status::Fail)
            ++t.fail;
        else
            ++t.error;
    }
    for (auto& t : tallies) t.maintenance = maintenanceTime(periods, t.checkId, from, to);
    return tallies;
}

std::string tallyLine(const CheckTally& t, std::chrono::milliseconds window) {
    const std::string leftOut = t.maintenance.count() > 0 ? " (maintenance " + human::duration(t.maintenance) + " left out)" : "";
    return t.checkId + ": " + human::percent(t.passingPercent()) + " passing" + leftOut + ", " + human::count(t.fail, "failure") + ", " +
           human::count(t.error, "error") + " over " + human::duration(window);
}

void printHistory(const std::vector<Record>& records, const HistoryQuery& query, bool json, std::ostream& out, TimePoint now) {
    const auto window = windowOf(records, query, now);
    const auto tallies = tallyResults(records, query.since, now);
    if (json) {
        Poco::JSON::Object::Ptr root = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        if (query.since != TimePoint{})
            root->set("since", toIso8601(query.since));
        else
            root->set("since", Poco::Dynamic::Var());
        root->set("window_ms", static_cast<Poco::Int64>(window.count()));
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& r : records) list->add(recordToJson(r));
        root->set("records", list);
        Poco::JSON::Array::Ptr checks = new Poco::JSON::Array;
        for (const auto& t : tallies) {
            Poco::JSON::Object::Ptr c = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            c->set("check", t.checkId);
            c->set("label", t.label);
            c->set("results", static_cast<Poco::UInt64>(t.pass + t.fail + t.error));
            c->set("pass", static_cast<Poco::UInt64>(t.pass));
            c->set("fail", static_cast<Poco::UInt64>(t.fail));
            c->set("error", static_cast<Poco::UInt64>(t.error));
            c->set("passing_percent", t.passingPercent());
            c->set("maintenance_ms", static_cast<Poco::Int64>(t.maintenance.count()));
            c->set("left_out", static_cast<Poco::UInt64>(t.leftOut));
            checks->add(c);
        }
        root->set("checks", checks);
        Poco::JSON::Stringifier::stringify(root, out, 2);
        out << "\n";
        return;
    }
    if (records.empty()) {
        out << "no history";
        if (query.since != TimePoint{}) out << " since " << toLocalSeconds(query.since);
        if (!query.checkId.empty()) out << " for check " << query.checkId;
        out << "\n";
        return;
    }
    printTable(records, out);
    if (!tallies.empty()) out << "\n";
    for (const auto& t : tallies) out << tallyLine(t, window) << "\n";
}

}  // namespace watchdog
