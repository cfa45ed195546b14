#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace watchdog::audio {

/// What the meter heard in one run's audio.
struct LoudnessReading {
    double seconds = 0;              ///< audio measured
    double trailingSilence = 0;      ///< seconds of silence at the end of it
    bool heardSound = false;         ///< some 400 ms step was at or above the threshold
    double shortTermLufs = -120;     ///< EBU R128 short-term loudness: the newest 3 s (or all, if shorter); -120 for digital silence
    double maxMomentaryLufs = -120;  ///< the loudest momentary (400 ms) loudness seen
    double peakDbfs = -120;          ///< the highest sample peak over all channels, dBFS
};

/// EBU R128 loudness (libebur128) of interleaved float audio, in 400 ms steps: after each step the
/// momentary loudness (those 400 ms) is compared with the threshold to track trailing silence.
/// One meter serves every run of a check (libebur128's state holds 3 s of audio: set up once).
class LoudnessMeter {
public:
    /// Silence is momentary loudness below `thresholdLufs`.
    explicit LoudnessMeter(double thresholdLufs);
    ~LoudnessMeter();
    LoudnessMeter(const LoudnessMeter&) = delete;
    LoudnessMeter& operator=(const LoudnessMeter&) = delete;

    /// Starts a new reading (a new run): the steps that follow are whole 400 ms of new audio.
    void begin();
    /// Declares the format of the audio that follows; a change keeps the reading so far.
    void format(int sampleRate, int channels);
    /// Adds `frames` interleaved frames (channels() floats each, full scale +-1.0).
    void add(const float* samples, std::size_t frames);
    /// The reading since begin().
    LoudnessReading reading() const;
    /// The current channel count (0 before format()).
    int channels() const { return channels_; }

private:
    void step();

    double threshold_;
    struct Ebur128;  ///< holds libebur128's state (an anonymous struct's typedef: it cannot be forward-declared)
    std::unique_ptr<Ebur128> ebur_;
    int sampleRate_ = 0;
    int channels_ = 0;
    std::size_t stepFrames_ = 0;     ///< frames per 400 ms step
    std::size_t pendingFrames_ = 0;  ///< frames added since the last step
    double seconds_ = 0;
    double trailingSilence_ = 0;
    bool heardSound_ = false;
    double maxMomentary_ = -120;
    double peak_ = 0;  ///< the highest absolute sample value so far
};

/// Loudness or level for people and records: -HUGE_VAL (digital silence) and anything lower read as -120.
double floorLevel(double db);

}  // namespace watchdog::audio
