#pragma once

#include "AudioDecoder.h"
#include "AudioSettings.h"
#include "AudioSource.h"
#include "LoudnessMeter.h"
#include "SilenceTracker.h"
#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>

#include <chrono>
#include <memory>
#include <optional>

namespace watchdog::audio {

/// Decodes the station's real output (a local HLS folder, an HLS URL or an Icecast mount) with
/// FFmpeg's libraries, measures its loudness (EBU R128, libebur128) and fails on dead air: a silence
/// longer than max_silence, tracked across runs. Optionally checks codec, sample rate, channels and
/// bitrate.
class AudioCheck : public Check {
public:
    /// Reads directory or url, playlist, pattern, threshold, max_silence, sample, max_bytes, codec,
    /// sample_rate, channels, min_bitrate, ca_file.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// Decodes what is new since the last run and judges it.
    Result run(const CheckContext& context) override;

    /// The result for one run's audio: `silence` is how long the silence has lasted so far.
    static Result judge(const AudioSettings& settings, const DecodeTotals& totals, const LoudnessReading& reading,
                        std::chrono::milliseconds silence, const SourceNotes& notes);
    /// The options as configure() read them.
    const AudioSettings& settings() const { return settings_; }

private:
    Result nothingNew(SilenceTracker::Clock::time_point now, const SourceNotes& notes) const;

    AudioSettings settings_;
    std::unique_ptr<AudioSource> source_;
    std::unique_ptr<LoudnessMeter> meter_;
    std::unique_ptr<AudioDecoder> decoder_;
    SilenceTracker silence_;
    std::optional<LoudnessReading> lastReading_;  ///< the last run that decoded audio
    DecodeTotals lastTotals_;
};

}  // namespace watchdog::audio
