#include "engine/Engine.h"

#include "engine/ActionRunner.h"
#include "engine/CheckTracker.h"
#include "engine/Outbox.h"
#include "engine/RuleEngine.h"
#include "engine/Scheduler.h"
#include "engine/StateFile.h"
#include "engine/HeartbeatCycle.h"
#include "engine/CoordinatedRouting.h"
#include "history/SinkQueue.h"
#include <watchdog/HumanFormat.h>
#include <watchdog/Version.h>

#include <Poco/Logger.h>
#include <Poco/Path.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <mutex>
#include <optional>
#include <thread>

namespace watchdog {

namespace {

// Sequence numbers are reserved in blocks in the state file, so a crash never reuses one (sinks
// de-duplicate replays by sequence) without saving the state file on every record.
constexpr std::uint64_t kSequenceBlock = 1000;

struct ResultCounters {
    std::uint64_t passes = 0, failures = 0, errors = 0;
};

struct OutcomeCounters {
    std::uint64_t succeeded = 0, failed = 0;
};

bool sameRuleStates(const std::map<std::string, RuleState>& a, const std::map<std::string, RuleState>& b) {
    if (a.size() != b.size()) return false;
    for (const auto& [id, s] : a) {
        auto it = b.find(id);
        if (it == b.end()) return false;
        const RuleState& t = it->second;
        if (s.phase != t.phase || s.incident != t.incident || s.deadline != t.deadline || s.resumed != t.resumed ||
            s.remedies != t.remedies || s.runs != t.runs || s.fired != t.fired || s.remedyFailed != t.remedyFailed ||
            s.dryRun != t.dryRun || s.onAir != t.onAir || s.acknowledged.has_value() != t.acknowledged.has_value())
            return false;
    }
    return true;
}

// A notifier delivers an event only once the outbox has written it, so a kill while it delivers
// loses nothing: the next start delivers the event again.
RunGate outboxGate(std::shared_ptr<Outbox> outbox) {
    return [outbox = std::move(outbox)](const Event&, const ActionContext&) -> std::optional<Outcome> {
        outbox->waitWritten();
        return std::nullopt;
    };
}

std::string sinkQueueId(const std::string& plugin, std::map<std::string, int>& seen) {
    const int n = ++seen[plugin];
    return n == 1 ? plugin : plugin + "-" + std::to_string(n);
}

const char* roleName(ActionRole role) {
    switch (role) {
        case ActionRole::Remedy:
            return "remedy";
        case ActionRole::Heartbeat:
            return "heartbeat";
        case ActionRole::Notifier:
            return "notifier";
    }
    return "notifier";
}

std::string describe(const Event& e) {
    std::string line = std::string("[") + toString(e.type) + "]";
    if (!e.rule.empty()) line += " " + e.rule + ":";
    return line + " " + e.summary;
}

}  // namespace

struct Engine::Impl {
    Pipeline pipeline;
    Assembly assembly;
    HistoryReaderFactory historyFactory;
    SystemClock clock;
    CheckTracker tracker;
    RuleEngine rules;
    StateFile stateFile;
    std::shared_ptr<Outbox> outbox;  // shared with the notifiers' gates
    Poco::Logger& log = Poco::Logger::get("watchdog.engine");

    std::unique_ptr<Scheduler> scheduler;
    std::map<std::string, std::unique_ptr<ActionRunner>> runners;
    std::vector<std::unique_ptr<SinkQueue>> sinks;
    std::vector<std::string> sinkPlugins;

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::thread timer;
    bool running = false;
    bool stopping = false;
    bool statusRequested = false;
    TimePoint started{};
    std::uint64_t sequence = 0;
    std::uint64_t reserved = 0;
    std::map<std::string, RuleState> savedRules;
    std::vector<MaintenanceWindow> savedMaintenance;
    // The state file is written outside `mutex` where it can be (the fsync must not hold up /status):
    // every snapshot gets a generation under `mutex`, and one older than what is on disk is dropped.
    std::mutex stateWriteMutex;
    std::uint64_t stateGeneration = 0;  // under `mutex`
    std::uint64_t stateWritten = 0;     // under `stateWriteMutex`
    std::atomic<bool> stateWriteFailed{false};
    std::vector<QueuedRequest> queuedRequests;  // written by the CLI while no watchdog ran
    std::map<std::string, ResultCounters> results;
    std::map<std::string, OutcomeCounters> outcomes;

    mutable std::mutex historyMutex;
    mutable std::unique_ptr<Sink> historyReader;
    HeartbeatCycle cycle{checkIds(assembly)};
    std::shared_ptr<Coordination> coordination;  // `ha:`; null without it

    Impl(Pipeline p, Assembly a, HistoryReaderFactory factory)
        : pipeline(std::move(p)),
          assembly(std::move(a)),
          historyFactory(std::move(factory)),
          tracker(checkSettings(assembly)),
          rules(assembly.rules, notifierIds(assembly), clock, pipeline.name, flapWindows(assembly)),
          stateFile(pipeline.stateFile),
          outbox(std::make_shared<Outbox>(stateDirectory() + Poco::Path(pipeline.stateFile).getBaseName() + ".outbox")) {}

    static std::vector<CheckSettings> checkSettings(const Assembly& a) {
        std::vector<CheckSettings> out;
        for (const auto& c : a.checks)
            out.push_back({c.block.id, c.block.label, c.block.failAfter, c.block.passAfter, c.block.flapChanges, c.block.flapWithin});
        return out;
    }

    static std::map<std::string, std::chrono::milliseconds> flapWindows(const Assembly& a) {
        std::map<std::string, std::chrono::milliseconds> out;
        for (const auto& c : a.checks)
            if (c.block.flapChanges > 0) out[c.block.id] = c.block.flapWithin;
        return out;
    }

    std::set<std::string> notifierSet() const {
        const auto ids = notifierIds(assembly);
        return {ids.begin(), ids.end()};
    }

    static std::vector<std::string> checkIds(const Assembly& a) {
        std::vector<std::string> out;
        for (const auto& c : a.checks) out.push_back(c.block.id);
        return out;
    }

    // --- heartbeats (with `mutex` held, or before the checks start) ---------------------------

    int openIncidents() const {
        int open = 0;
        for (const auto& [id, s] : rules.states())
            if (s.phase != RulePhase::Idle && s.phase != RulePhase::FailingBack) ++open;
        return open;
    }

    /// To every heartbeat action; a heartbeat still busy with the last one skips this one, so a slow
    /// endpoint builds no backlog.
    void beat(const Event& e) {
        for (const auto& a : assembly.actions) {
            if (a.role != ActionRole::Heartbeat) continue;
            auto it = runners.find(a.block.id);
            if (it != runners.end() && (e.type == EventType::Startup || it->second->queued() == 0)) it->second->post(e);
        }
    }

    static std::vector<std::string> notifierIds(const Assembly& a) {
        std::vector<std::string> out;
        for (const auto& x : a.actions)
            if (x.role == ActionRole::Notifier) out.push_back(x.block.id);
        return out;
    }

    std::string stateDirectory() const { return Poco::Path(pipeline.stateFile).parent().toString(); }

    // --- called with `mutex` held -------------------------------------------------------------

    std::uint64_t nextSequence() {
        if (++sequence > reserved) {
            reserved = sequence + kSequenceBlock;
            saveState(reserved);
        }
        return sequence;
    }

    void record(Record r) {
        r.sequence = nextSequence();
        r.pipeline = pipeline.name;
        for (auto& q : sinks) q->push(r);
    }

    void route(const std::vector<RoutedEvent>& routed) {
        for (const auto& re : routed) route(re);
    }

    void route(const RoutedEvent& routed) {
        const RoutedEvent re = coordination ? coordinate(routed, *coordination, rules, notifierSet()) : routed;
        const Event& e = re.event;
        const bool bad = e.type == EventType::Warning || e.type == EventType::Failover || e.type == EventType::CheckError ||
                         e.type == EventType::Limited || e.type == EventType::NotVerified || e.type == EventType::Flapping ||
                         e.type == EventType::FailbackCancelled || (e.type == EventType::Outcome && !e.ok);
        if (bad)
            log.warning(describe(e));
        else
            log.information(describe(e));
        Record r;
        r.kind = RecordKind::Event;
        r.time = e.time;
        r.event = e;
        record(std::move(r));
        for (const auto& id : re.actions) {
            auto it = runners.find(id);
            if (it == runners.end()) continue;
            if (it->second->role() == ActionRole::Notifier) keepUntilDelivered(id, e);
            it->second->post(e);
        }
    }

    /// A state to write, with its generation.
    struct PendingState {
        SavedState state;
        std::uint64_t generation = 0;
    };

    /// The state as it is now (with `mutex` held); what it holds counts as saved from here on.
    PendingState takeState(std::uint64_t sequenceMark) {
        PendingState p;
        SavedState& s = p.state;
        s.pipeline = pipeline.name;
        s.rules = rules.states();
        for (const auto& c : tracker.snapshot())
            s.checks[c.id] = SavedCheck{c.health, c.consecutive, c.since, c.flapping, tracker.recentChanges(c.id)};
        s.sequence = sequenceMark;
        s.maintenance = rules.maintenance();
        s.saved = clock.now();
        savedRules = s.rules;
        savedMaintenance = s.maintenance;
        p.generation = ++stateGeneration;
        return p;
    }

    /// Writes `p` unless a newer state is already on disk; with or without `mutex` held.
    void writeState(const PendingState& p) {
        std::lock_guard<std::mutex> lock(stateWriteMutex);
        if (p.generation <= stateWritten) return;
        try {
            stateFile.save(p.state);
            stateWritten = p.generation;
            stateWriteFailed = false;
        } catch (const std::exception& e) {
            stateWriteFailed = true;  // the next change (or tick) tries again
            log.error(std::string("cannot save the state: ") + e.what());
        }
    }

    /// Saves now, with `mutex` held: where the state must be on disk before going on (sequence
    /// reservations, start, stop, operator requests).
    void saveState(std::uint64_t sequenceMark) { writeState(takeState(sequenceMark)); }

    /// The state to write once `mutex` is released, when anything worth saving changed.
    std::optional<PendingState> stateIfChanged(bool healthChanged) {
        if (healthChanged || stateWriteFailed || !sameRuleStates(rules.states(), savedRules) || maintenanceChanged())
            return takeState(reserved);
        return std::nullopt;
    }

    /// Releases `mutex` (held by `lock`), then writes what changed under it: `state` and the outbox.
    /// Every holder of `mutex` that routed an event or saw one delivered leaves through here.
    void unlockAndWrite(std::unique_lock<std::mutex>& lock, const std::optional<PendingState>& state = std::nullopt) {
        const auto kept = outbox->changes();
        lock.unlock();
        if (kept) {
            try {
                outbox->write(*kept);
            } catch (const std::exception& e) {
                log.error(e.what());  // the next change tries again
            }
        }
        if (state) writeState(*state);
    }

    // --- entry points from other threads ------------------------------------------------------

    void onResult(const std::string& id, const Result& result, TimePoint finished, std::chrono::milliseconds took) {
        std::unique_lock<std::mutex> lock(mutex);
        if (!running) return;
        auto& counter = results[id];
        if (result.status == Status::Pass)
            ++counter.passes;
        else if (result.status == Status::Fail)
            ++counter.failures;
        else
            ++counter.errors;
        const CheckSnapshot* snap = tracker.find(id);
        const bool wasFlapping = snap != nullptr && snap->flapping;
        const int changesBefore = snap != nullptr ? snap->recentChanges : 0;
        const bool changed = tracker.apply(id, result, finished);
        if (log.debug())
            log.debug(id + ": " + toString(result.status) + " " + result.summary + " (" + std::to_string(took.count()) + " ms)");
        if (changed && snap != nullptr) log.information("check " + id + " is now " + toString(snap->health) + ": " + result.summary);
        // The flap window is state too: a restart must not forget a check that flaps.
        const bool flapChanged = snap != nullptr && (snap->flapping != wasFlapping || snap->recentChanges != changesBefore);

        Record r;
        r.kind = RecordKind::Result;
        r.time = finished;
        r.checkId = id;
        r.checkLabel = snap != nullptr ? snap->label : id;
        r.result = result;
        r.duration = took;
        record(std::move(r));

        route(rules.onResult(id, result, tracker.snapshot()));
        if (cycle.onResult(id)) beat(HeartbeatCycle::event(pipeline.name, clock.now(), openIncidents(), tracker.snapshot()));
        const auto pending = stateIfChanged(changed || flapChanged);
        wake.notify_all();
        unlockAndWrite(lock, pending);
    }

    void onOutcome(const std::string& actionId, ActionRole role, const Event& event, const Outcome& outcome,
                   std::chrono::milliseconds took) {
        std::unique_lock<std::mutex> lock(mutex);
        auto& counter = outcomes[actionId];
        if (outcome.ok)
            ++counter.succeeded;
        else
            ++counter.failed;
        if (role == ActionRole::Notifier && outcome.ok) outbox->delivered(actionId, event);
        if (role == ActionRole::Remedy && (event.type == EventType::Failover || event.type == EventType::Failback)) {
            // A remedy that gave up because the daemon is stopping has not done its work: it runs again
            // after the restart (the state file keeps it "started"). One that succeeded has.
            const bool interrupted = stopping && !outcome.ok;
            if (coordination && !interrupted && !isAlreadyRun(outcome)) coordination->reported(event.incident, actionId);
            if (interrupted)
                log.warning("remedy " + actionId + " was interrupted by the shutdown (" + outcome.summary +
                            "); it runs again, once, when incident " + event.incident + " resumes after a restart");
            route(rules.outcome(event, actionId, outcome.ok, outcome.summary, outcome.details, took, tracker.snapshot(), interrupted));
            unlockAndWrite(lock, stateIfChanged(false));
            return;
        }
        if (!outcome.ok && role == ActionRole::Notifier)
            log.warning("notifier " + actionId + " could not deliver the " + toString(event.type) + " event: " + outcome.summary);
        unlockAndWrite(lock);
    }

    void timerLoop() {
        std::unique_lock<std::mutex> lock(mutex);
        while (!stopping) {
            if (!statusRequested) {
                const auto next = rules.nextWakeup();
                if (next)
                    wake.wait_until(lock, *next);
                else
                    wake.wait(lock);
            }
            if (stopping) break;
            if (statusRequested) {
                statusRequested = false;
                route(rules.statusNow(tracker.snapshot()));
            }
            route(rules.tick(tracker.snapshot()));
            unlockAndWrite(lock, stateIfChanged(false));
            lock.lock();
        }
    }

    void startSinks() {
        std::map<std::string, int> seen;
        for (auto& s : assembly.sinks) {
            const std::string id = sinkQueueId(s.block.plugin, seen);
            SinkQueueSettings settings;
            settings.spoolDirectory = stateDirectory() + "spool/" + id;
            sinks.push_back(std::make_unique<SinkQueue>(id, std::move(s.sink), settings));
            sinkPlugins.push_back(s.block.plugin);
            sinks.back()->start();
        }
    }

    void startActions() {
        for (const auto& a : assembly.actions) {
            const std::string id = a.block.id;
            const ActionRole role = a.role;
            auto runner = std::make_unique<ActionRunner>(
                id, a.block.label, a.block.dryRun, a.action,
                [this, id, role](const Event& e, const Outcome& o, std::chrono::milliseconds took) { onOutcome(id, role, e, o, took); });
            if (coordination && role == ActionRole::Remedy) runner->setGate(remedyGate(coordination, id));
            if (role == ActionRole::Notifier) runner->setGate(outboxGate(outbox));
            runner->start();
            runners.emplace(id, std::move(runner));
        }
    }

    // --- the operator's side and the outbox (issue 15), with `mutex` held --------------------------

    bool maintenanceChanged() const {
        const auto& now = rules.maintenance();
        if (now.size() != savedMaintenance.size()) return true;
        for (std::size_t i = 0; i < now.size(); ++i)
            if (now[i].until != savedMaintenance[i].until || now[i].failed != savedMaintenance[i].failed) return true;
        return false;
    }

    void keepUntilDelivered(const std::string& action, const Event& e) {
        if (auto dropped = outbox->keep(action, sequence, e))
            log.error(action + " has " + std::to_string(Outbox::kMaxKept) + " undelivered notifications; dropped the oldest (" +
                      toString(dropped->type) + " of " + toLocalSeconds(dropped->time) + ")");
    }

    // What the previous run could not deliver goes first, in its order, before anything new.
    void deliverLeftovers() {
        std::vector<std::string> warnings;
        const auto leftovers = outbox->leftovers(warnings);
        for (const auto& w : warnings) log.warning(w);
        for (const auto& [action, events] : leftovers) {
            auto it = runners.find(action);
            if (it == runners.end() || it->second->role() != ActionRole::Notifier) continue;
            log.information("delivering " + human::count(events.size(), "notification") + " to " + action +
                            " that the previous run could not deliver");
            for (const auto& e : events) it->second->post(e);
        }
    }

    void applyQueuedRequests() {
        for (const auto& q : queuedRequests) {
            try {
                if (q.kind == QueuedRequest::Kind::Ack)
                    route(rules.acknowledge(q.ack, tracker.snapshot()));
                else
                    route(rules.maintain(q.maintenance, tracker.snapshot()));
            } catch (const OperatorRequestRefused& e) {
                log.warning(std::string("a request recorded while no watchdog ran is not applied: ") + e.what());
            }
        }
        queuedRequests.clear();
    }

    void restoreState() {
        std::string warning;
        const SavedState saved = stateFile.load(pipeline.name, warning);
        if (!warning.empty()) log.warning(warning);
        for (const auto& [id, c] : saved.checks) {
            tracker.restore(id, c.health, c.consecutive, c.since);
            tracker.restoreFlapping(id, c.flapping, c.changes);
        }
        rules.restore(saved.rules, saved.saved);
        rules.restoreMaintenance(saved.maintenance);
        queuedRequests = saved.requests;
        sequence = saved.sequence;
        reserved = saved.sequence;
        for (const auto& [id, s] : saved.rules) {
            if (s.phase == RulePhase::Idle) continue;
            log.information("resuming rule " + id + " (" + toString(s.phase) + ", incident " + s.incident + ")");
            for (const auto& [action, progress] : s.remedies) {
                if (progress == RemedyProgress::Started)
                    log.warning("rule " + id + ": remedy " + action + " was started before the restart and reported no outcome; " +
                                "it runs again, once, if the checks still fail");
                else if (progress == RemedyProgress::Retried)
                    log.warning("rule " + id + ": remedy " + action + " was already run again after a restart and still " +
                                "reported no outcome; it is not run a third time for incident " + s.incident);
            }
        }
    }
};

Engine::Engine(Pipeline pipeline, Assembly assembly, HistoryReaderFactory historyReader)
    : impl_(std::make_unique<Impl>(std::move(pipeline), std::move(assembly), std::move(historyReader))) {}

Engine::~Engine() { stop(false); }

void Engine::setCoordination(std::shared_ptr<Coordination> coordination) { impl_->coordination = std::move(coordination); }

void Engine::start(bool announce) {
    Impl& m = *impl_;
    if (m.coordination) m.coordination->start();
    m.started = m.clock.now();
    m.restoreState();
    m.startSinks();
    m.startActions();
    {
        std::unique_lock<std::mutex> lock(m.mutex);
        m.running = true;
        m.deliverLeftovers();
        m.route(m.rules.start(m.tracker.snapshot(), announce));
        m.applyQueuedRequests();
        m.saveState(m.reserved);
        m.unlockAndWrite(lock);
    }
    std::vector<ScheduledCheck> scheduled;
    for (const auto& c : m.assembly.checks) scheduled.push_back({c.block.id, c.block.label, c.check, c.block.interval, c.block.timeout});
    if (announce) m.beat(HeartbeatCycle::startup(m.pipeline.name, m.clock.now(), m.tracker.snapshot()));
    m.scheduler = std::make_unique<Scheduler>(std::move(scheduled), [&m](const std::string& id, const Result& r, TimePoint t,
                                                                         std::chrono::milliseconds took) { m.onResult(id, r, t, took); });
    m.scheduler->start();
    m.timer = std::thread([&m] { m.timerLoop(); });
    m.log.information("monitoring " + human::count(m.assembly.checks.size(), "check") + ", " +
                      human::count(m.assembly.actions.size(), "action") + ", " + human::count(m.sinks.size(), "sink"));
}

void Engine::stop(bool announce, StopBudget budget) {
    Impl& m = *impl_;
    {
        std::lock_guard<std::mutex> lock(m.mutex);
        if (!m.running) return;
    }
    if (m.scheduler) m.scheduler->stop(budget.checks);
    {
        std::unique_lock<std::mutex> lock(m.mutex);
        m.stopping = true;
        if (announce) m.route(m.rules.shutdown(m.tracker.snapshot()));
        m.wake.notify_all();
        m.unlockAndWrite(lock);
    }
    if (m.timer.joinable()) m.timer.join();

    if (m.coordination) m.coordination->stop(announce);
    std::vector<std::thread> stoppers;
    for (auto& [id, runner] : m.runners) {
        ActionRunner* r = runner.get();
        stoppers.emplace_back([r, budget] { r->stop(budget.actions); });
    }
    for (auto& t : stoppers) t.join();
    stoppers.clear();
    {
        std::unique_lock<std::mutex> lock(m.mutex);
        m.running = false;
        m.saveState(m.sequence);
        m.unlockAndWrite(lock);
    }
    for (auto& q : m.sinks) {
        SinkQueue* s = q.get();
        stoppers.emplace_back([s, budget] { s->stop(budget.sinks); });
    }
    for (auto& t : stoppers) t.join();
}

StatusSnapshot Engine::snapshot() const {
    const Impl& m = *impl_;
    StatusSnapshot s;
    s.pipeline = m.pipeline.name;
    s.version = WATCHDOG_VERSION;
    s.started = m.started;
    s.now = m.clock.now();
    if (m.coordination) s.ha = m.coordination->status();
    std::lock_guard<std::mutex> lock(m.mutex);
    const auto snaps = m.tracker.snapshot();
    for (std::size_t i = 0; i < snaps.size() && i < m.assembly.checks.size(); ++i) {
        CheckStatus c;
        c.snapshot = snaps[i];
        c.plugin = m.assembly.checks[i].block.plugin;
        c.interval = m.assembly.checks[i].block.interval;
        auto it = m.results.find(c.snapshot.id);
        if (it != m.results.end()) {
            c.passes = it->second.passes;
            c.failures = it->second.failures;
            c.errors = it->second.errors;
        }
        s.checks.push_back(std::move(c));
    }
    for (const auto& [id, state] : m.rules.states()) {
        RuleStatus r{id, toString(state.phase), state.incident, std::nullopt, std::nullopt, state.acknowledged};
        if (state.phase != RulePhase::Idle && state.phase != RulePhase::Fired) r.deadline = state.deadline;
        for (const auto& spec : m.assembly.rules) {
            if (spec.id != id || spec.limitCount <= 0) continue;
            const LimitStanding standing = limitStanding(spec, state, s.now);
            r.limit = RuleLimitStatus{spec.limitCount, spec.limitPer, standing.runs, standing.reopens};
        }
        s.rules.push_back(std::move(r));
    }
    for (const auto& a : m.assembly.actions) {
        ActionStatus st{a.block.id, a.block.plugin, roleName(a.role), 0, 0, 0};
        auto it = m.outcomes.find(a.block.id);
        if (it != m.outcomes.end()) {
            st.succeeded = it->second.succeeded;
            st.failed = it->second.failed;
        }
        auto r = m.runners.find(a.block.id);
        if (r != m.runners.end()) st.queued = r->second->queued();
        s.actions.push_back(std::move(st));
    }
    s.maintenance = m.rules.maintenance();
    for (std::size_t i = 0; i < m.sinks.size(); ++i) s.sinks.push_back({m.sinks[i]->id(), m.sinkPlugins[i], m.sinks[i]->stats()});
    return s;
}

std::vector<MaintenanceWindow> Engine::maintain(const MaintenanceRequest& request) {
    Impl& m = *impl_;
    std::unique_lock<std::mutex> lock(m.mutex);
    if (!m.running || m.stopping)
        throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput, "the watchdog is starting or stopping; try again");
    m.route(m.rules.maintain(request, m.tracker.snapshot()));
    m.saveState(m.reserved);
    m.wake.notify_all();
    auto windows = m.rules.maintenance();
    m.unlockAndWrite(lock);
    return windows;
}

AckReply Engine::acknowledge(const AckRequest& request) {
    Impl& m = *impl_;
    std::unique_lock<std::mutex> lock(m.mutex);
    if (!m.running || m.stopping)
        throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput, "the watchdog is starting or stopping; try again");
    RoutedEvent ack = m.rules.acknowledge(request, m.tracker.snapshot());
    m.route(ack);
    m.saveState(m.reserved);
    const RuleState state = m.rules.states().at(ack.event.rule);
    m.unlockAndWrite(lock);
    return {ack.event.rule, ack.event.incident, state.acknowledged.value_or(Acknowledgement{})};
}

StatusReportDecision Engine::requestStatusReport() {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->statusRequested = true;
    impl_->wake.notify_all();
    return {};
}

std::vector<Record> Engine::history(const HistoryQuery& query) const {
    const Impl& m = *impl_;
    std::lock_guard<std::mutex> lock(m.historyMutex);
    if (!m.historyReader) {
        if (!m.historyFactory) throw std::runtime_error("no sink of this pipeline can read history (add the sqlite sink)");
        auto reader = m.historyFactory();
        if (!reader) throw std::runtime_error("no sink of this pipeline can read history (add the sqlite sink)");
        reader->open();
        m.historyReader = std::move(reader);
    }
    return m.historyReader->readHistory(query);
}

}  // namespace watchdog
