#include "loudness_meter.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace watchdog {

namespace {
constexpr double kFloorDb = -120;
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
    if (st != nullptr) {
        for (int c = 0; c < channels_; ++c) {
            double p = 0;
            if (ebur128_sample_peak(st, static_cast<unsigned>(c), &p) == EBUR128_SUCCESS) peak_ = std::max(peak_, p);
        }
        ebur128_destroy(&st);
    }
    st = ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(sampleRate),
                          EBUR128_MODE_S | EBUR128_MODE_SAMPLE_PEAK);
    if (st == nullptr) throw std::runtime_error("libebur128 cannot measure " + std::to_string(channels) + " channels at " +
                                                    std::to_string(sampleRate) + " Hz");
    sampleRate_ = sampleRate;
    channels_ = channels;
    stepFrames_ = static_cast<std::size_t>(std::max(1, sampleRate / 10));
    pendingFrames_ = 0;
}

void LoudnessMeter::add(const float* samples, std::size_t frames) {
    ebur128_state* st = ebur_->state;
    if (st == nullptr) throw std::logic_error("LoudnessMeter::add before format()");
    const auto channels = static_cast<std::size_t>(channels_);
    while (frames > 0) {
        const std::size_t n = std::min(frames, stepFrames_ - pendingFrames_);
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
    r.trailingSilence = std::min(trailingSilence_, seconds_);
    r.heardSound = heardSound_;
    r.maxMomentaryLufs = maxMomentary_;
    double peak = peak_;
    if (st != nullptr) {
        double shortTerm = -HUGE_VAL;
        ebur128_loudness_shortterm(st, &shortTerm);
        r.shortTermLufs = floorLevel(shortTerm);
        for (int c = 0; c < channels_; ++c) {
            double p = 0;
            if (ebur128_sample_peak(st, static_cast<unsigned>(c), &p) == EBUR128_SUCCESS) peak = std::max(peak, p);
        }
    }
    r.peakDbfs = floorLevel(peak > 0 ? 20 * std::log10(peak) : -HUGE_VAL);
    return r;
}

}  // namespace watchdog
