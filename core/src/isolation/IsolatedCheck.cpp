#include "isolation/IsolatedCheck.h"

#include "common/ResultBounds.h"
#include "isolation/CheckProcess.h"
#include <watchdog/HumanFormat.h>

#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <algorithm>

namespace watchdog {

namespace {

using Steady = std::chrono::steady_clock;

Poco::Logger& logger() { return Poco::Logger::get("watchdog.isolation"); }

/// "256 MiB", "1.5 GiB".
std::string mebibytes(unsigned long long bytes) {
    const double mib = static_cast<double>(bytes) / (1024.0 * 1024.0);
    return mib >= 1024 ? human::number(mib / 1024) + " GiB" : human::number(mib) + " MiB";
}

}  // namespace

IsolatedCheck::IsolatedCheck(RunnerSetup setup, std::string runner) : setup_(std::move(setup)), runner_(std::move(runner)) {}

IsolatedCheck::~IsolatedCheck() = default;

pid_t IsolatedCheck::processId() const { return pid_.load(); }

void IsolatedCheck::drop() {
    process_.reset();
    pid_ = -1;
}

std::optional<Result> IsolatedCheck::start(const CheckContext& context, LineChannel::Deadline deadline) {
    try {
        process_ = std::make_unique<CheckProcess>(runner_, context.id);
    } catch (const std::exception& e) {
        logger().error("check " + context.id + ": cannot start its check process: " + e.what());
        return Result::error(std::string("cannot start the check process: ") + e.what());
    }
    memoryLimitReached_ = false;
    pid_ = process_->pid();
    logger().debug("check " + context.id + ": check process " + std::to_string(process_->pid()) + " started");
    const std::string loading = " while loading the plugin";
    setup_.logLevel = Poco::Logger::root().getLevel();  // as the daemon's log is configured now
    if (!process_->channel().send(setupLine(setup_), deadline)) return ended(context, loading);
    auto reply = nextReply(context, deadline, loading);
    if (auto* failed = std::get_if<Result>(&reply)) return *failed;
    const auto& message = std::get<Poco::JSON::Object::Ptr>(reply);
    if (message->has("ready")) return std::nullopt;
    if (!message->has("setup_error")) return killed(context, "check process sent an unreadable reply", "an unexpected message" + loading);
    const std::string why = printable(message->optValue<std::string>("setup_error", ""), 2048);
    drop();
    logger().error("check " + context.id + ": its check process could not set up the plugin: " + why);
    return Result::error("check process could not set up the plugin: " + why);
}

std::variant<Poco::JSON::Object::Ptr, Result> IsolatedCheck::nextReply(const CheckContext& context, LineChannel::Deadline deadline,
                                                                       const std::string& when) {
    const auto stop = [&] { return context.isCancelled(); };
    while (true) {
        std::string line;
        switch (process_->channel().receive(line, deadline, stop, maxRunnerLineBytes)) {
            case LineChannel::Read::Line:
                break;
            case LineChannel::Read::Closed:
                return ended(context, when);
            case LineChannel::Read::TooLong:
                return killed(context, "check process sent an oversized reply", "an oversized reply");
            case LineChannel::Read::Timeout:
            case LineChannel::Read::Stopped:
                return killed(context, "timed out after " + human::duration(context.timeout) + when + "; check process killed",
                              context.isCancelled() ? "its run was cancelled" : "still running at the timeout");
        }
        if (line.empty()) continue;  // the memory limit's marker starts with a newline
        Poco::JSON::Object::Ptr message;
        try {
            message = parseLine(line);
            if (message->has("log")) {
                if (auto log = message->getObject("log")) forwardLog(*log);
                continue;
            }
        } catch (const std::exception& e) {
            return killed(context, "check process sent an unreadable reply", e.what());
        }
        if (message->has("memory_limit"))
            memoryLimitReached_ = true;
        else
            return message;
    }
}

Result IsolatedCheck::ended(const CheckContext& context, const std::string& when) {
    const pid_t pid = process_->pid();
    const std::string how = process_->reap(std::chrono::seconds(1));
    drop();
    std::string summary = "check process " + how;
    if (memoryLimitReached_)
        summary = "check process killed after using more than " + mebibytes(setup_.memoryLimit) + " (isolate_memory)";
    else if (how.rfind("exited", 0) == 0)
        summary += " without a result";
    logger().warning("check " + context.id + ": check process " + std::to_string(pid) + " " +
                     (memoryLimitReached_ ? "reached isolate_memory (" + mebibytes(setup_.memoryLimit) + ")" : how) + when +
                     "; a new one starts for the next run");
    return Result::error(summary + when);
}

Result IsolatedCheck::killed(const CheckContext& context, const std::string& summary, const std::string& why) {
    const pid_t pid = process_->pid();
    process_->kill();
    drop();
    logger().warning("check " + context.id + ": check process " + std::to_string(pid) + " killed (" + why +
                     "); a new one starts for the next run");
    return Result::error(summary);
}

void IsolatedCheck::forwardLog(const Poco::JSON::Object& log) const {
    const int priority = std::clamp(log.optValue<int>("priority", Poco::Message::PRIO_INFORMATION),
                                    static_cast<int>(Poco::Message::PRIO_FATAL), static_cast<int>(Poco::Message::PRIO_TRACE));
    // Through one logger (a plugin cannot make the daemon create loggers without end), under the
    // plugin's own source name.
    if (logger().is(priority))
        logger().log(Poco::Message(printable(log.optValue<std::string>("source", "plugin"), 128),
                                   printable(log.optValue<std::string>("text", ""), 4096), static_cast<Poco::Message::Priority>(priority)));
}

Result IsolatedCheck::run(const CheckContext& context) {
    std::lock_guard<std::mutex> lock(running_);
    const auto deadline = Steady::now() + context.timeout;
    if (!process_)
        if (auto failed = start(context, deadline)) return *failed;
    if (!process_->channel().send(runLine(context), deadline)) return ended(context, "");
    auto reply = nextReply(context, deadline, "");
    if (auto* failed = std::get_if<Result>(&reply)) return *failed;
    try {
        Result r = readResult(*std::get<Poco::JSON::Object::Ptr>(reply));
        boundResult(r);
        return r;
    } catch (const std::exception& e) {
        return killed(context, "check process sent an unreadable reply", e.what());
    }
}

}  // namespace watchdog
