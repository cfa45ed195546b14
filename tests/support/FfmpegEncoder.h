#pragma once

// A real ffmpeg encoding a generated sine tone in real time (-re -f lavfi -i sine), as a stand-in
// for the station's encoder: it streams MP3 to an Icecast mount and/or writes HLS segments.

#include "TestSupport.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace watchdog::test {

/// Starts ffmpeg when constructed, kills it when destroyed. Throws std::runtime_error when ffmpeg
/// is not installed.
class FfmpegEncoder {
public:
    /// Where the tone goes; leave a target empty to skip it (at least one must be set).
    struct Settings {
        std::string icecastUrl;         ///< "icecast://source:PASS@127.0.0.1:PORT/MOUNT" (IcecastServer::sourceUrl)
        std::string hlsDirectory;       ///< folder for live.m3u8 and segNNNNN.ts
        double hlsSegmentSeconds = 1;   ///< -hls_time
        int hlsListSize = 5;            ///< -hls_list_size (segments kept in the playlist)
        bool hlsDeleteSegments = true;  ///< -hls_flags delete_segments (old segments removed from disk)
        int toneHz = 440;               ///< the sine's frequency
    };

    /// Settings that only stream to this Icecast source URL (IcecastServer::sourceUrl).
    static Settings icecastOnly(const std::string& icecastUrl);
    /// Settings that only write HLS into `directory`, keeping `listSize` segments.
    static Settings hlsOnly(const std::string& directory, int listSize = 5);

    /// The start of every ffmpeg command line here: quiet, in real time, a generated `hz` sine at 44.1 kHz.
    static std::vector<std::string> toneInput(int hz = 440);
    /// Output options: MP3 at 64 kbit/s, sent as audio/mpeg to `icecastUrl` (IcecastServer::sourceUrl).
    static std::vector<std::string> mp3Output(const std::string& icecastUrl);
    /// Output options: AAC at 64 kbit/s as HLS in `directory` (segNNNNN.ts, live.m3u8), `segmentSeconds`
    /// long, `listSize` in the playlist, older ones deleted when `deleteSegments`.
    static std::vector<std::string> hlsOutput(const std::string& directory, double segmentSeconds = 1, int listSize = 5,
                                              bool deleteSegments = true);

    /// Starts ffmpeg with these settings.
    explicit FfmpegEncoder(Settings settings);
    /// Kills ffmpeg if it still runs.
    ~FfmpegEncoder();
    FfmpegEncoder(const FfmpegEncoder&) = delete;
    FfmpegEncoder& operator=(const FfmpegEncoder&) = delete;

    /// ffmpeg's process id.
    int pid() const { return process_->pid(); }
    /// True while ffmpeg runs.
    bool running() { return process_->running(); }
    /// Stops ffmpeg cleanly (SIGTERM; it finishes the playlist), SIGKILL after a grace period.
    void stop();
    /// Kills ffmpeg at once (SIGKILL), like a crashed encoder: files stay as they were.
    void kill();
    /// Everything ffmpeg printed (warnings and errors only), for failure messages.
    std::string output() const { return process_->output(); }
    /// hlsDirectory/live.m3u8.
    std::string playlistPath() const;
    /// Number of *.ts files in hlsDirectory now.
    int segmentCount() const;
    /// Waits until the playlist exists and at least `segments` .ts files are on disk.
    bool waitForSegments(int segments, std::chrono::milliseconds timeout) const;
    /// The command line it runs (passwords included: keep it out of logs that leave the test).
    const std::vector<std::string>& command() const { return argv_; }

private:
    Settings settings_;
    std::vector<std::string> argv_;
    std::unique_ptr<ChildProcess> process_;
};

}  // namespace watchdog::test
