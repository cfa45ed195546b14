#include <watchdog/testing/PluginTestKit.h>

#include "history/SinkQueue.h"

namespace watchdog::testing {

SinkQueueSettingsBuilder::SinkQueueSettingsBuilder(std::string spoolDirectory) {
    settings_.spoolDirectory = std::move(spoolDirectory);
    settings_.maxDelay = std::chrono::milliseconds(5);
    settings_.retryMin = std::chrono::milliseconds(5);
    settings_.retryMax = std::chrono::milliseconds(40);
}

SinkQueueSettingsBuilder& SinkQueueSettingsBuilder::maxBatch(std::size_t records) {
    settings_.maxBatch = records;
    return *this;
}

SinkQueueSettingsBuilder& SinkQueueSettingsBuilder::maxDelay(std::chrono::milliseconds delay) {
    settings_.maxDelay = delay;
    return *this;
}

SinkQueueSettingsBuilder& SinkQueueSettingsBuilder::retries(std::chrono::milliseconds first, std::chrono::milliseconds last) {
    settings_.retryMin = first;
    settings_.retryMax = last;
    return *this;
}

SinkQueueSettingsBuilder& SinkQueueSettingsBuilder::stuckAfter(std::chrono::milliseconds after) {
    settings_.stuckAfter = after;
    return *this;
}

QueuedSink::QueuedSink(const std::string& sinkId, std::unique_ptr<Sink> sink, const SinkQueueSettings& settings)
    : queue_(std::make_unique<SinkQueue>(sinkId, std::move(sink), settings)) {}

QueuedSink::~QueuedSink() = default;

void QueuedSink::start() { queue_->start(); }

void QueuedSink::push(const Record& record) { queue_->push(record); }

void QueuedSink::stop(std::chrono::milliseconds timeout) { queue_->stop(timeout); }

SinkQueueStats QueuedSink::stats() const { return queue_->stats(); }

}  // namespace watchdog::testing
