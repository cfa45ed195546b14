#pragma once

// Test and bench fixtures: real encoder output made by the ffmpeg program (faster than real time).

#include "TestSupport.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace watchdog::test {

/// Encodes `seconds` of a 440 Hz tone (ffmpeg's sine source: amplitude 1/8, about -18 dBFS) as
/// 128 kbit/s stereo AAC in HLS: `directory`/live.m3u8 and seg000.ts... of `segmentSeconds` each.
/// `silentFrom` > 0 mutes the tone from that second on, in the same stream. Throws when ffmpeg fails.
inline void encodeHls(const std::string& directory, double seconds, double segmentSeconds = 2, double silentFrom = 0,
                      const std::string& codecArgs = "-c:a aac -b:a 128k") {
    std::vector<std::string> argv = {"ffmpeg",    "-nostdin", "-hide_banner",
                                     "-loglevel", "error",    "-f",
                                     "lavfi",     "-i",       "sine=frequency=440:sample_rate=44100:duration=" + std::to_string(seconds),
                                     "-ac",       "2"};
    if (silentFrom > 0) argv.insert(argv.end(), {"-af", "volume=enable='gte(t," + std::to_string(silentFrom) + ")':volume=0"});
    std::string word;
    for (char c : codecArgs + " ") {
        if (c != ' ') {
            word += c;
        } else if (!word.empty()) {
            argv.push_back(word);
            word.clear();
        }
    }
    argv.insert(argv.end(), {"-f", "hls", "-hls_time", std::to_string(segmentSeconds), "-hls_list_size", "0", "-hls_segment_filename",
                             directory + "/seg%03d.ts", directory + "/live.m3u8"});
    auto [code, out] = runCommand({"mkdir", "-p", directory}, std::chrono::seconds(5));
    std::tie(code, out) = runCommand(argv, std::chrono::seconds(60));
    if (code != 0) throw std::runtime_error("ffmpeg could not make the fixture: " + out);
}

/// Encodes `seconds` of the tone as one file (e.g. 64 kbit/s MP3: "-c:a libmp3lame -b:a 64k", "x.mp3").
inline void encodeFile(const std::string& path, double seconds, const std::string& codecArgs) {
    std::vector<std::string> argv = {
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
        "-y",     "-f",       "lavfi",        "-i",        "sine=frequency=440:sample_rate=44100:duration=" + std::to_string(seconds),
        "-ac",    "2"};
    std::string word;
    for (char c : codecArgs + " ") {
        if (c != ' ') {
            word += c;
        } else if (!word.empty()) {
            argv.push_back(word);
            word.clear();
        }
    }
    argv.push_back(path);
    auto [code, out] = runCommand(argv, std::chrono::seconds(60));
    if (code != 0) throw std::runtime_error("ffmpeg could not make the fixture: " + out);
}

}  // namespace watchdog::test
