// An action that appends every event it gets to `file` as one JSON line, so tests can assert what a
// notifier or remedy was sent, in order. Options: role (notifier|remedy), fail (bool), delay (the
// event is written after it; a daemon stopping meanwhile interrupts it, as aws_start does: the outcome
// is a failure and nothing is written), begun_file (the event type is appended there before the delay),
// down_file (while that file exists the delivery fails and nothing is written: the endpoint is down).
#include <watchdog/Duration.h>
#include <watchdog/Plugin.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace {

class RecorderAction : public watchdog::Action {
public:
    void configure(const watchdog::Options& options) override {
        file_ = options.path("file");
        role_ = options.choice("role", {"notifier", "remedy"}, "notifier") == "remedy" ? watchdog::ActionRole::Remedy
                                                                                       : watchdog::ActionRole::Notifier;
        fail_ = options.boolean("fail", false);
        delay_ = options.duration("delay", std::chrono::milliseconds(0));
        begunFile_ = options.path("begun_file", "");
        downFile_ = options.path("down_file", "");
    }

    watchdog::ActionRole role() const override { return role_; }

    watchdog::Outcome execute(const watchdog::Event& event, const watchdog::ActionContext& context) override {
        if (!downFile_.empty() && std::ifstream(downFile_).good()) return watchdog::Outcome::failure("recorder told it is down");
        if (!begunFile_.empty()) std::ofstream(begunFile_, std::ios::app) << watchdog::toString(event.type) << '\n';
        const auto until = std::chrono::steady_clock::now() + delay_;
        while (std::chrono::steady_clock::now() < until) {
            if (context.isStopping()) return watchdog::Outcome::failure("interrupted: the watchdog is stopping");
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        Poco::JSON::Object o;
        o.set("type", watchdog::toString(event.type));
        o.set("rule", event.rule);
        o.set("incident", event.incident);
        o.set("summary", event.summary);
        o.set("dry_run", context.dryRun);
        Poco::JSON::Array failing;
        for (const auto& id : event.failing) failing.add(id);
        o.set("failing", failing);
        if (event.deadline) o.set("deadline_ms", watchdog::toEpochMs(*event.deadline));
        if (!event.action.empty()) o.set("action", event.action);
        if (event.type == watchdog::EventType::Outcome) o.set("ok", event.ok);
        Poco::JSON::Array checks;
        for (const auto& c : event.checks) checks.add(c.id + "=" + watchdog::toString(c.health));
        o.set("checks", checks);
        std::ostringstream line;
        Poco::JSON::Stringifier::stringify(o, line);
        std::ofstream(file_, std::ios::app) << line.str() << '\n';
        if (fail_) return watchdog::Outcome::failure("recorder told to fail");
        return watchdog::Outcome::success("recorded", {{"instance_id", "i-recorded"}});
    }

private:
    std::string file_;
    watchdog::ActionRole role_ = watchdog::ActionRole::Notifier;
    bool fail_ = false;
    std::chrono::milliseconds delay_{0};
    std::string begunFile_;
    std::string downFile_;
};

}  // namespace

WATCHDOG_ACTION_PLUGIN(RecorderAction)
