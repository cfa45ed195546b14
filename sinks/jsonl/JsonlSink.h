#pragma once

#include <watchdog/OptionTable.h>
#include <watchdog/Sink.h>

#include <cstdint>
#include <string>

namespace watchdog::jsonl {

/// Appends one JSON object per record (the RecordJson shape) to a file, one line each; fsyncs per
/// batch; rotates by size (file -> file.1 -> file.2 ..., keeping `keep` old files).
///
/// A batch is written whole or not at all (a failed write is cut back off), and records already in
/// the file (sequence and time not newer than its last line) are skipped, so replays never repeat.
class JsonlSink : public Sink {
public:
    ~JsonlSink() override;
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    void open() override;
    void write(const std::vector<Record>& batch) override;
    void close() override;

private:
    struct Settings {
        std::string path;
        bool fsync = true;
        unsigned long long maxSize = 0;  // 0: never rotate
        int keep = 5;
    };
    void openFile();
    void rotate();
    void readTail();

    Settings settings_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    bool haveLast_ = false;
    std::uint64_t lastSequence_ = 0;
    long long lastTimeMs_ = 0;
};

}  // namespace watchdog::jsonl
