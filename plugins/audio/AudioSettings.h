#pragma once

#include <watchdog/OptionTable.h>

#include <chrono>
#include <optional>
#include <string>

namespace watchdog::audio {

/// The audio check's options, read once by readAudioSettings().
struct AudioSettings {
    std::string directory;         ///< a local HLS folder (one of directory and url)
    std::string playlist;          ///< with directory: the playlist to follow (absolute); empty: scan for `pattern`
    std::string pattern = "*.ts";  ///< with directory and no playlist: the segment names
    std::string url;               ///< an HLS playlist (master or media) or a live stream (an Icecast mount)
    std::string caFile;            ///< https: a PEM file of extra trusted certificates (empty: the system's)

    double thresholdLufs = -50;                   ///< below this momentary loudness the audio counts as silent
    std::chrono::milliseconds maxSilence{15000};  ///< a silence longer than this fails
    std::chrono::milliseconds sample{5000};       ///< a live stream: how much audio one run reads
    unsigned long long maxBytes = 16ULL << 20;    ///< bytes read per run at most (playlists and audio)

    std::string codec;                    ///< expected codec name ("aac", "mp3"); empty: any
    std::optional<int> sampleRate;        ///< expected sample rate in Hz
    std::optional<int> channels;          ///< expected channel count
    std::optional<long long> minBitrate;  ///< bits per second at least

    /// How much new audio one run decodes at most: enough to see a whole max_silence plus a sample.
    std::chrono::milliseconds window() const { return maxSilence + sample; }
};

/// Reads and validates every option of an audio check (problems reported at FILE:LINE:COL).
AudioSettings readAudioSettings(const DeclaredOptions& options);

/// "-50dB", "-50", "-50 LUFS", "-50LUFS", "-50 dBFS": the number, or nullopt.
std::optional<double> parseLevel(const std::string& text);

/// "96k", "96000", "128 kbit/s", "0.5M": bits per second, or nullopt.
std::optional<long long> parseBitrate(const std::string& text);

/// A bitrate for people: "128 kbit/s", "96.5 kbit/s", "800 bit/s".
std::string formatBitrate(double bitsPerSecond);

/// A byte count for people: "16 MiB", "512 KiB", "1.5 GiB", "900 bytes".
std::string formatBytes(unsigned long long bytes);

}  // namespace watchdog::audio
