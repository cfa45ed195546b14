#pragma once

#include "HlsAgeScan.h"

#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>

#include <chrono>
#include <string>
#include <vector>

namespace watchdog::hls_age {

/// The hls_age check's options, read once by configure().
struct HlsAgeSettings {
    std::string directory;                            ///< the HLS output folder
    std::string pattern = "*.ts";                     ///< shell glob of the segment names
    std::vector<std::string> exclude;                 ///< names (or globs) ignored
    std::chrono::milliseconds maxAge{900000};         ///< any matching file older than this fails
    std::chrono::milliseconds newestMaxAge{0};        ///< the newest older than this fails (0: off)
    std::string playlist;                             ///< full path of the playlist to check ("" : off)
    std::chrono::milliseconds playlistMaxAge{60000};  ///< the playlist not modified for longer fails
};

/// Fails when HLS segments age: a stopped encoder leaves its last segments behind, ageing.
class HlsAgeCheck : public Check {
public:
    /// Reads directory, pattern, exclude, max_age, newest_max_age, playlist, playlist_max_age.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// One scan of the folder (and the playlist), judged against the limits at the current time.
    Result run(const CheckContext& context) override;

    /// The same judgement at a given time (tests pass their own "now").
    Result runAt(std::chrono::system_clock::time_point now) const;
    /// The options as configure() read them.
    const HlsAgeSettings& settings() const { return settings_; }

private:
    HlsAgeSettings settings_;
};

}  // namespace watchdog::hls_age
