#pragma once

#include "AvInput.h"
#include "LoudnessMeter.h"

#include <limits>
#include <string>
#include <vector>

struct AVCodecContext;
struct AVFormatContext;
struct AVFrame;
struct AVPacket;
struct AVStream;
struct SwrContext;

namespace watchdog::audio {

/// The audio format a run found (of the last input it decoded).
struct StreamFormat {
    std::string codec;   ///< FFmpeg's codec name: "aac", "mp3", "opus"
    int sampleRate = 0;  ///< Hz
    int channels = 0;
    long long declaredBitrate = 0;  ///< bits/s the stream declares (MP3 frame headers), 0 when it does not
};

/// What one run decoded, summed over its inputs.
struct DecodeTotals {
    StreamFormat format;
    double seconds = 0;                  ///< audio decoded
    unsigned long long packetBytes = 0;  ///< compressed audio those seconds took
    int inputs = 0;                      ///< segments (or streams) decoded

    /// The bitrate the stream declares, else the one measured (packet bytes over decoded seconds); 0 if unknown.
    double bitrate() const;
};

/// Demuxes and decodes the first audio stream of each input it is given, in order, into one meter
/// (so that 400 ms windows span segment boundaries as they do for a listener). It lives as long as
/// the check: one decoder carries on from segment to segment and from run to run.
class AudioDecoder {
public:
    explicit AudioDecoder(LoudnessMeter& meter);
    ~AudioDecoder();
    AudioDecoder(const AudioDecoder&) = delete;
    AudioDecoder& operator=(const AudioDecoder&) = delete;

    /// Decodes `input` to its end, or until `maxSeconds` of audio (a live stream). A live stream that
    /// reaches the deadline with audio decoded ends there; everything else that stops the input early
    /// throws AudioError with the reason: not audio, no audio stream, a read error, a truncated
    /// segment, undecodable packets, the timeout or max_bytes.
    void decode(AvInput& input, DecodeTotals& totals, double maxSeconds = std::numeric_limits<double>::infinity());

    /// Forgets the decoder's state (after an input that failed: the next one starts afresh).
    void reset();

private:
    struct Progress;

    void openDecoder(const AVStream& stream, const std::string& name, const std::string& codecName);
    int readPackets(AVFormatContext* fmt, int index, AVPacket* packet, AvInput& input, double maxSeconds, Progress& progress,
                    DecodeTotals& totals);
    void receiveFrames(Progress& progress, DecodeTotals& totals);
    void finishInput(AvInput& input, int readError, bool live, Progress& progress, DecodeTotals& totals);
    void resampleInto(const AVFrame& frame);

    LoudnessMeter& meter_;
    AVCodecContext* codec_ = nullptr;  ///< kept from one input to the next of the same codec
    SwrContext* swr_ = nullptr;
    int swrFormat_ = -1;
    int swrRate_ = 0;
    int swrChannels_ = 0;
    std::vector<float> interleaved_;
};

}  // namespace watchdog::audio
