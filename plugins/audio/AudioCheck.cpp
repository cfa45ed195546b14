#include "AudioCheck.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <algorithm>
#include <new>

namespace watchdog::audio {

namespace {

using std::chrono::milliseconds;

std::string lufs(double v) { return human::number(v) + " LUFS"; }

std::string seconds(double s) { return human::duration(milliseconds(static_cast<long long>(s * 1000 + 0.5))); }

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
}

}  // namespace

void AudioCheck::configure(const Options& block) {
    const DeclaredOptions options(block, declaredOptions());
    settings_ = readAudioSettings(options);
    source_ = std::make_unique<AudioSource>(settings_);
    meter_ = std::make_unique<LoudnessMeter>(settings_.thresholdLufs);
    decoder_ = std::make_unique<AudioDecoder>(*meter_);
}

Result AudioCheck::judge(const AudioSettings& s, const DecodeTotals& totals, const LoudnessReading& reading, milliseconds silence,
                         const SourceNotes& notes) {
    const std::string threshold = lufs(s.thresholdLufs);
    std::vector<std::string> problems;
    if (silence > s.maxSilence)
        problems.push_back("dead air: silent for " + human::duration(silence) + " (below " + threshold + ", longer than max_silence " +
                           human::duration(s.maxSilence) + ")");
    const StreamFormat& f = totals.format;
    if (!s.codec.empty() && f.codec != s.codec) problems.push_back("codec " + f.codec + ", expected " + s.codec);
    if (s.sampleRate && f.sampleRate != *s.sampleRate)
        problems.push_back("sample rate " + std::to_string(f.sampleRate) + " Hz, expected " + std::to_string(*s.sampleRate) + " Hz");
    if (s.channels && f.channels != *s.channels)
        problems.push_back(human::count(f.channels, "channel") + ", expected " + std::to_string(*s.channels));
    const double bitrate = totals.bitrate();
    if (s.minBitrate && bitrate > 0 && bitrate < static_cast<double>(*s.minBitrate))
        problems.push_back("bitrate " + formatBitrate(bitrate) + ", below min_bitrate " +
                           formatBitrate(static_cast<double>(*s.minBitrate)));

    Result r;
    if (!problems.empty())
        r = Result::fail(join(problems));
    else if (silence.count() > 0)
        r = Result::pass("silent for " + human::duration(silence) + ", below " + threshold + " (max_silence " +
                         human::duration(s.maxSilence) + ")");
    else
        r = Result::pass("sound at " + lufs(reading.shortTermLufs) + " (silence is below " + threshold + ")");
    r.withValue(reading.shortTermLufs, "LUFS");
    r.detail("level", lufs(reading.shortTermLufs) + " short-term, loudest momentary " + lufs(reading.maxMomentaryLufs));
    r.detail("silence", silence.count() > 0 ? human::duration(silence) : "none");
    r.detail("codec", f.codec.empty() ? "unknown" : f.codec);
    r.detail("sample rate", std::to_string(f.sampleRate) + " Hz");
    r.detail("channels", std::to_string(f.channels));
    r.detail("bitrate", bitrate > 0 ? formatBitrate(bitrate) + (f.declaredBitrate > 0 ? "" : " (measured)") : "unknown");
    r.detail("peak", human::number(reading.peakDbfs) + " dBFS (sample peak)");
    std::string decoded = seconds(totals.seconds);
    if (notes.newSegments > 0) {
        decoded += " from " + human::count(totals.inputs, "new segment");
        if (notes.skippedSegments > 0) decoded += " (" + std::to_string(notes.skippedSegments) + " older new ones skipped)";
    }
    r.detail("decoded", decoded);
    if (!notes.what.empty()) r.detail("source", notes.what);
    return r;
}

Result AudioCheck::nothingNew(SilenceTracker::Clock::time_point now, const SourceNotes& notes) const {
    const std::string where = settings_.directory.empty()  ? settings_.url
                              : settings_.playlist.empty() ? settings_.directory
                                                           : settings_.playlist;
    if (!lastReading_) {
        if (notes.skippedPartial) return Result::error("no complete segment in " + where + " yet (the only one is still being written)");
        return Result::error("no segment to decode in " + where +
                             (settings_.playlist.empty() && settings_.url.empty() ? " matching " + settings_.pattern : ""));
    }
    const auto since = std::chrono::duration_cast<milliseconds>(now - *silence_.lastAudio());
    if (since > settings_.maxSilence) {
        Result r = Result::fail("no new audio for " + human::duration(since) + " (longer than max_silence " +
                                human::duration(settings_.maxSilence) + "): no new segment in " + where);
        r.withValue(lastReading_->shortTermLufs, "LUFS");
        r.detail("source", where);
        return r;
    }
    Result r = judge(settings_, lastTotals_, *lastReading_, silence_.current(now), SourceNotes{});
    r.summary = "no new segment since the last run; " + r.summary;
    r.detail("decoded", "nothing new (last audio " + human::duration(since) + " ago)");
    r.detail("source", where);
    return r;
}

Result AudioCheck::run(const CheckContext& context) {
    // Finish a little before the scheduler gives up on the run, so the reason reaches the result.
    const milliseconds timeout = std::max(context.timeout, milliseconds(1));
    ReadBudget budget(timeout - std::min(timeout / 10, milliseconds(500)), context.cancelled, settings_.maxBytes);
    meter_->begin();
    DecodeTotals totals;
    SourceNotes notes;
    std::string failure;
    try {
        source_->read(budget, *decoder_, totals, notes);
    } catch (const AudioError& e) {
        failure = e.what();
    } catch (const std::bad_alloc&) {
        failure = "out of memory while decoding";
    } catch (const std::exception& e) {
        failure = std::string("cannot measure the audio: ") + e.what();
    }
    if (!failure.empty()) {
        decoder_->reset();
        return Result::error(failure);
    }
    const auto now = SilenceTracker::Clock::now();
    if (totals.inputs == 0) return nothingNew(now, notes);
    const LoudnessReading reading = meter_->reading();
    const milliseconds silence = silence_.observe(now, reading);
    lastReading_ = reading;
    lastTotals_ = totals;
    return judge(settings_, totals, reading, silence, notes);
}

}  // namespace watchdog::audio

WATCHDOG_CHECK_PLUGIN(watchdog::audio::AudioCheck)
