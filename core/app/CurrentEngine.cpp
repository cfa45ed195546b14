#include "CurrentEngine.h"

#include <watchdog/Duration.h>

#include <Poco/Logger.h>

#include <mutex>
#include <stdexcept>

namespace watchdog {

CurrentEngine::CurrentEngine() : limiter_(clock_, std::chrono::milliseconds(60000)) {}

void CurrentEngine::set(EngineStatus* engine, std::chrono::milliseconds statusMinInterval) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    engine_ = engine;
    limiter_.setMinInterval(statusMinInterval);
}

StatusSnapshot CurrentEngine::snapshot() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return engine_ ? engine_->snapshot() : StatusSnapshot{};
}

StatusReportDecision CurrentEngine::requestStatusReport() {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    StatusReportDecision d = limiter_.request();
    Poco::Logger& log = Poco::Logger::get("watchdog");
    if (!d.accepted) {
        if (d.firstRefusal)
            log.notice("status report not sent: one went less than status_min_interval (" + formatDuration(limiter_.minInterval()) +
                       ") ago; the next may go at " + toIso8601(*d.next) + " (further requests until then are not logged)");
        return d;
    }
    if (d.refusedBefore > 0)
        log.information("sending a status report (" + std::to_string(d.refusedBefore) + " earlier request" +
                        (d.refusedBefore == 1 ? " was" : "s were") + " refused by status_min_interval)");
    if (engine_) engine_->requestStatusReport();
    return d;
}

std::vector<Record> CurrentEngine::history(const HistoryQuery& query) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (!engine_) throw std::runtime_error("the watchdog is restarting its pipeline; try again");
    return engine_->history(query);
}

std::vector<MaintenanceWindow> CurrentEngine::maintain(const MaintenanceRequest& request) {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (!engine_) throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput, "the watchdog is restarting its pipeline; try again");
    return engine_->maintain(request);
}

AckReply CurrentEngine::acknowledge(const AckRequest& request) {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (!engine_) throw OperatorRequestRefused(OperatorRequestRefused::Why::BadInput, "the watchdog is restarting its pipeline; try again");
    return engine_->acknowledge(request);
}

}  // namespace watchdog
