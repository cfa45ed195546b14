#include "engine/Outbox.h"

#include "history/RecordJson.h"

#include <watchdog/AtomicFile.h>

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace watchdog {

namespace {

// Twenty digits keep the names in sequence order when sorted as text.
std::string fileName(std::uint64_t sequence) {
    char name[32];
    std::snprintf(name, sizeof name, "%020llu.json", static_cast<unsigned long long>(sequence));
    return name;
}

bool sameEvent(const Event& a, const Event& b) {
    return a.type == b.type && a.time == b.time && a.rule == b.rule && a.incident == b.incident && a.summary == b.summary &&
           a.action == b.action;
}

// The record line keeps every event field but the checks' snapshot, which notifiers render: it goes beside it.
std::string eventJson(const Event& event) {
    Record r;
    r.kind = RecordKind::Event;
    r.time = event.time;
    r.pipeline = event.pipeline;
    r.event = event;
    Poco::JSON::Object::Ptr root = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    root->set("record", recordToJson(r));
    Poco::JSON::Array::Ptr checks = new Poco::JSON::Array;
    for (const auto& c : event.checks) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("id", c.id);
        o->set("label", c.label);
        o->set("health", std::string(toString(c.health)));
        o->set("status", std::string(toString(c.last.status)));
        o->set("summary", c.last.summary);
        o->set("has_result", c.hasResult);
        o->set("flapping", c.flapping);
        o->set("since_ms", static_cast<Poco::Int64>(toEpochMs(c.since)));
        o->set("last_run_ms", static_cast<Poco::Int64>(toEpochMs(c.lastRun)));
        checks->add(o);
    }
    root->set("checks", checks);
    std::ostringstream out;
    root->stringify(out);
    return out.str();
}

void writeEventFile(const std::string& path, const Event& event) {
    const std::string folder = Poco::Path(path).parent().toString();
    try {
        Poco::File(folder).createDirectories();
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("cannot create " + folder + ": " + e.displayText());
    }
    writeFileAtomically(path, eventJson(event) + "\n");
}

Health healthFrom(const std::string& word) {
    if (word == "passing") return Health::Passing;
    if (word == "failing") return Health::Failing;
    return Health::Unknown;
}

Event eventFrom(const std::string& text) {
    Poco::JSON::Parser parser;
    auto root = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    Record r = recordFromJson(root->getObject("record"));
    Event e = r.event;
    e.time = r.time;
    e.pipeline = r.pipeline;
    if (e.checkId.empty()) e.checkId = r.checkId;
    if (auto checks = root->getArray("checks")) {
        for (std::size_t i = 0; i < checks->size(); ++i) {
            auto o = checks->getObject(i);
            CheckSnapshot c;
            c.id = o->getValue<std::string>("id");
            c.label = o->optValue<std::string>("label", c.id);
            c.health = healthFrom(o->optValue<std::string>("health", "unknown"));
            c.last.status = statusFromString(o->optValue<std::string>("status", "error")).value_or(Status::Error);
            c.last.summary = o->optValue<std::string>("summary", "");
            c.hasResult = o->optValue<bool>("has_result", false);
            c.flapping = o->optValue<bool>("flapping", false);
            c.since = fromEpochMs(o->optValue<Poco::Int64>("since_ms", 0));
            c.lastRun = fromEpochMs(o->optValue<Poco::Int64>("last_run_ms", 0));
            e.checks.push_back(std::move(c));
        }
    }
    return e;
}

}  // namespace

Outbox::Outbox(std::string directory) : directory_(std::move(directory)) {}

std::optional<Event> Outbox::keep(const std::string& action, std::uint64_t sequence, const Event& event) {
    auto& list = kept_[action];
    list.push_back({directory_ + "/" + action + "/" + fileName(sequence), std::make_shared<const Event>(event)});
    ++changed_;
    if (list.size() <= kMaxKept) return std::nullopt;
    Event dropped = *list.front().event;
    list.erase(list.begin());
    return dropped;
}

void Outbox::delivered(const std::string& action, const Event& event) {
    auto list = kept_.find(action);
    if (list == kept_.end()) return;
    auto it = std::find_if(list->second.begin(), list->second.end(), [&](const Kept& k) { return sameEvent(*k.event, event); });
    if (it == list->second.end()) return;
    list->second.erase(it);
    ++changed_;
}

std::map<std::string, std::vector<Event>> Outbox::leftovers(std::vector<std::string>& warnings) {
    std::map<std::string, std::vector<Event>> out;
    Poco::File root(directory_);
    if (!root.exists()) return out;
    for (Poco::DirectoryIterator action(root), end; action != end; ++action) {
        if (!action->isDirectory()) continue;
        std::vector<std::string> names;
        for (Poco::DirectoryIterator f(*action), fend; f != fend; ++f)
            if (Poco::Path(f->path()).getExtension() == "json") names.push_back(f->path());
        std::sort(names.begin(), names.end());
        const std::string id = action.name();
        for (const auto& path : names) {
            std::ifstream in(path);
            std::stringstream text;
            text << in.rdbuf();
            try {
                Event e = eventFrom(text.str());
                kept_[id].push_back({path, std::make_shared<const Event>(e)});
                out[id].push_back(std::move(e));
                std::lock_guard<std::mutex> lock(writeMutex_);
                onDisk_.insert(path);
            } catch (const std::exception& ex) {
                warnings.push_back("undelivered notification " + path + " is unreadable (" + ex.what() + "); dropped");
                std::remove(path.c_str());
            }
        }
    }
    return out;
}

std::size_t Outbox::size(const std::string& action) const {
    auto it = kept_.find(action);
    return it == kept_.end() ? 0 : it->second.size();
}

std::optional<Outbox::Snapshot> Outbox::changes() {
    const std::uint64_t now = changed_;
    if (now == taken_ && !writeFailed_) return std::nullopt;
    taken_ = now;
    Snapshot s;
    s.generation = now;
    for (const auto& [action, list] : kept_)
        for (const auto& k : list) s.files.emplace(k.path, k.event);
    return s;
}

void Outbox::write(const Snapshot& snapshot) {
    std::lock_guard<std::mutex> lock(writeMutex_);
    if (snapshot.generation <= written_) return;
    try {
        for (const auto& [path, event] : snapshot.files) {
            if (onDisk_.count(path) != 0) continue;
            writeEventFile(path, *event);
            onDisk_.insert(path);
        }
        for (auto it = onDisk_.begin(); it != onDisk_.end();) {
            if (snapshot.files.count(*it) != 0) {
                ++it;
                continue;
            }
            std::remove(it->c_str());
            it = onDisk_.erase(it);
        }
    } catch (const std::exception& e) {
        writeFailed_ = true;
        settle(snapshot.generation);
        throw std::runtime_error(std::string("cannot keep undelivered notifications: ") + e.what());
    }
    written_ = snapshot.generation;
    writeFailed_ = false;
    settle(snapshot.generation);
}

void Outbox::waitWritten() {
    const std::uint64_t target = changed_;
    std::unique_lock<std::mutex> lock(writeMutex_);
    settledChanged_.wait(lock, [&] { return settled_ >= target; });
}

void Outbox::settle(std::uint64_t generation) {
    settled_ = std::max(settled_, generation);
    settledChanged_.notify_all();
}

}  // namespace watchdog
