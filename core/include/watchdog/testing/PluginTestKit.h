#pragma once

// The plugin test kit: a plugin's tests configure it from YAML as the daemon does, read the one-line
// error a bad block gives, run code as an unprivileged user, and feed a sink through the daemon's
// sink queue. Link EncoderWatchdog::watchdog_plugin_testkit (in tree: watchdog_plugin_testkit).
// Framework-neutral: it throws and returns, the test framework asserts.

#include <watchdog/ConfigError.h>
#include <watchdog/Options.h>
#include <watchdog/Record.h>
#include <watchdog/Result.h>
#include <watchdog/Sink.h>
#include <watchdog/SinkQueueSettings.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace watchdog {
class SinkQueue;
}

namespace watchdog::testing {

/// The block `where` (e.g. "checks.ts_age", "sinks[0]") of a pipeline file named "pipeline.yaml"
/// holding `yaml`, relative paths resolved against `baseDirectory`. Throws ConfigError for bad YAML.
Options optionsFromYaml(const std::string& yaml, const std::string& where, const std::string& baseDirectory = "/tmp");

/// Configures `plugin` from `yaml` as the daemon does: configure(), then keys no getter read are a
/// ConfigError ("unknown option", with a did-you-mean).
template <class Plugin>
void configureFrom(Plugin& plugin, const std::string& yaml, const std::string& where, const std::string& baseDirectory = "/tmp") {
    Options options = optionsFromYaml(yaml, where, baseDirectory);
    plugin.configure(options);
    options.rejectUnknownKeys();
}

/// A new T configured from `yaml` (see configureFrom); throws the ConfigError the daemon would report.
template <class T>
std::unique_ptr<T> configure(const std::string& yaml, const std::string& where, const std::string& baseDirectory = "/tmp") {
    auto plugin = std::make_unique<T>();
    configureFrom(*plugin, yaml, where, baseDirectory);
    return plugin;
}

/// The one-line error ("pipeline.yaml:2:10: checks.ts_age.max_age: ...") configure<T>() gives for
/// `yaml`, or "no error".
template <class T>
std::string configError(const std::string& yaml, const std::string& where, const std::string& baseDirectory = "/tmp") {
    try {
        configure<T>(yaml, where, baseDirectory);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

/// "pass", "fail" or "error", as a std::string so that a failed assertion prints it.
std::string statusOf(const Result& result);

/// Runs `body` as user and group nobody (65534) in a forked child when the test runs as root (root
/// reads every file, so a permission check would never bite), else in this process; returns what
/// `body` returned. Throws std::runtime_error when the child cannot be started or cannot drop root.
std::string asUnprivileged(const std::function<std::string()>& body);

/// Sink queue settings for tests: records flush within 5 ms and retries start at 5 ms, so a test
/// sees a batch, a failure and a replay in milliseconds; each setter returns the builder.
class SinkQueueSettingsBuilder {
public:
    /// Spools into `spoolDirectory` (created when needed).
    explicit SinkQueueSettingsBuilder(std::string spoolDirectory);
    /// At most `records` per write().
    SinkQueueSettingsBuilder& maxBatch(std::size_t records);
    /// How long a record may wait for its batch to fill.
    SinkQueueSettingsBuilder& maxDelay(std::chrono::milliseconds delay);
    /// The first retry delay after a failed write, doubling up to `last`.
    SinkQueueSettingsBuilder& retries(std::chrono::milliseconds first, std::chrono::milliseconds last);
    /// A write() or open() running longer has its records spooled meanwhile.
    SinkQueueSettingsBuilder& stuckAfter(std::chrono::milliseconds after);
    /// The settings built so far.
    const SinkQueueSettings& build() const { return settings_; }

private:
    SinkQueueSettings settings_;
};

/// A sink behind the daemon's own sink queue (batches, retries, spool, replay), for a sink's tests.
class QueuedSink {
public:
    /// Queues for `sink`; `sinkId` names it in errors ("mysql").
    QueuedSink(const std::string& sinkId, std::unique_ptr<Sink> sink, const SinkQueueSettings& settings);
    ~QueuedSink();
    QueuedSink(const QueuedSink&) = delete;
    QueuedSink& operator=(const QueuedSink&) = delete;

    /// Starts the writer thread (it opens the sink).
    void start();
    /// Queues a record; never blocks on the sink.
    void push(const Record& record);
    /// Writes or spools what is queued, waiting at most `timeout`, closes the sink and stops.
    void stop(std::chrono::milliseconds timeout);
    /// The queue's counters (written, failures, spooled, dropped, last error).
    SinkQueueStats stats() const;

private:
    std::unique_ptr<SinkQueue> queue_;
};

}  // namespace watchdog::testing
