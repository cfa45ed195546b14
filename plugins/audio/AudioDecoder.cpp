#include "AudioDecoder.h"

#include <watchdog/HumanFormat.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mem.h>
#include <libswresample/swresample.h>
}

#include <cmath>

namespace watchdog::audio {

namespace {

// Containers an encoder's output comes in. Nothing else is probed: no playlist demuxer that would
// open further URLs or files named inside a "segment", no image or video formats.
constexpr const char* kFormats = "mpegts,aac,mp3,ogg,flac,wav,mov,matroska";
constexpr std::size_t kTsPacket = 188;
constexpr double kShortestUsefulSample = 0.5;  // seconds: less than this from a live stream says nothing
// Icecast first sends a burst of recent audio (burst-size, 64 KiB by default: 4 to 8 s) as fast as the
// network allows; a sample ends at the live edge after it, so that it holds the newest audio. A
// server that never slows down (a file, not a live stream) is cut this far past the sample.
constexpr double kLongestBurst = 60;

struct FormatContext {
    AVFormatContext* ctx = nullptr;
    ~FormatContext() { avformat_close_input(&ctx); }
};

struct Packet {
    AVPacket* pkt = av_packet_alloc();
    ~Packet() { av_packet_free(&pkt); }
};

struct Frame {
    AVFrame* frame = av_frame_alloc();
    ~Frame() { av_frame_free(&frame); }
};

// The first audio stream whose codec is known, or -1. (av_find_best_stream wants the sample rate and
// channels that only avformat_find_stream_info fills in, which costs decoding the first frames twice.)
int firstAudioStream(const AVFormatContext* fmt) {
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
        const AVCodecParameters* p = fmt->streams[i]->codecpar;
        if (p->codec_type == AVMEDIA_TYPE_AUDIO && p->codec_id != AV_CODEC_ID_NONE) return static_cast<int>(i);
    }
    return -1;
}

// Opens `input` in `fmt` through its own IO context, within its budget.
void openInput(AvInput& input, FormatContext& fmt) {
    const std::string& name = input.location();
    fmt.ctx = avformat_alloc_context();
    if (fmt.ctx == nullptr) throw AudioError("out of memory");
    fmt.ctx->pb = input.stream();
    fmt.ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
    fmt.ctx->interrupt_callback = input.budget().callback();
    fmt.ctx->format_whitelist = av_strdup(kFormats);
    fmt.ctx->format_probesize = 256 * 1024;
    fmt.ctx->probesize = 256 * 1024;
    fmt.ctx->max_analyze_duration = 2 * AV_TIME_BASE;
    // An encoder writing digital silence makes tiny segments (8 transport packets for a second of
    // silent AAC): too few for FFmpeg's MPEG-TS probe, which wants 10. Packets that start with the
    // sync byte 188 bytes apart are read as MPEG-TS without probing.
    const std::string head = input.peek(kTsPacket + 1);
    const bool transportStream = !head.empty() && head[0] == 0x47 && (head.size() <= kTsPacket || head[kTsPacket] == 0x47);
    static const AVInputFormat* const mpegts = av_find_input_format("mpegts");
    const AVInputFormat* forced = transportStream ? mpegts : nullptr;
    const int err = avformat_open_input(&fmt.ctx, name.c_str(), forced, nullptr);
    if (err < 0) {
        if (input.budget().stop() != BudgetStop::None) throw AudioError(name + ": " + input.explain(err));
        throw AudioError(name + " is not audio FFmpeg can read: " + input.explain(err));
    }
}

// The index of the audio stream to decode. Most containers declare their streams in the header;
// probing packets only when one does not saves decoding the first frames twice.
int findAudioStream(AvInput& input, AVFormatContext* fmt) {
    int index = firstAudioStream(fmt);
    if (index < 0) {
        const int err = avformat_find_stream_info(fmt, nullptr);
        if (err < 0 && input.budget().stop() != BudgetStop::None) throw AudioError(input.location() + ": " + input.explain(err));
        index = firstAudioStream(fmt);
    }
    if (index < 0) throw AudioError(input.location() + " holds no audio stream (" + fmt->iformat->name + ")");
    return index;
}

bool holdsFramesBack(const AVCodec* codec) { return (codec->capabilities & AV_CODEC_CAP_DELAY) != 0; }

// The read error behind a failed av_read_frame: some demuxers report a failed read as the end of
// the input, and the IO context remembers. 0 at the clean end of the input.
int readErrorOf(int err, const AVFormatContext* fmt) {
    if (err != AVERROR_EOF) return err;
    return fmt->pb->error < 0 && fmt->pb->error != AVERROR_EOF ? fmt->pb->error : 0;
}

}  // namespace

// What decoding one input counted so far.
struct AudioDecoder::Progress {
    AVFrame* frame = nullptr;
    double seconds = 0;
    long long packets = 0;
    long long badPackets = 0;
    int lastError = 0;

    void countBad(int err) {
        ++badPackets;
        lastError = err;
    }

    // A segment is whole or broken; a live stream may start mid-frame, so a stray bad packet is forgiven.
    void throwIfTooManyBad(const std::string& name, bool live) const {
        const bool tooManyBad = live ? badPackets > 2 && badPackets * 10 > packets : badPackets > 0;
        if (tooManyBad)
            throw AudioError(name + ": " + std::to_string(badPackets) + " of " + human::count(packets, "audio packet") +
                             " could not be decoded (" + avErrorText(lastError) + ")");
    }
};

double DecodeTotals::bitrate() const {
    if (format.declaredBitrate > 0) return static_cast<double>(format.declaredBitrate);
    return seconds >= 1 ? static_cast<double>(packetBytes) * 8 / seconds : 0;
}

AudioDecoder::AudioDecoder(LoudnessMeter& meter) : meter_(meter) {}

AudioDecoder::~AudioDecoder() {
    swr_free(&swr_);
    avcodec_free_context(&codec_);
}

void AudioDecoder::reset() { avcodec_free_context(&codec_); }

void AudioDecoder::decode(AvInput& input, DecodeTotals& totals, double maxSeconds) {
    const bool live = std::isfinite(maxSeconds);
    const std::string& name = input.location();
    FormatContext fmt;
    openInput(input, fmt);
    const int index = findAudioStream(input, fmt.ctx);
    const AVStream* stream = fmt.ctx->streams[index];
    const std::string codecName = avcodec_get_name(stream->codecpar->codec_id);
    openDecoder(*stream, name, codecName);
    totals.format.codec = codecName;
    totals.format.declaredBitrate = stream->codecpar->bit_rate;

    Packet packet;
    Frame frame;
    if (packet.pkt == nullptr || frame.frame == nullptr) throw AudioError("out of memory");
    Progress progress;
    progress.frame = frame.frame;
    const int readError = readPackets(fmt.ctx, index, packet.pkt, input, maxSeconds, progress, totals);
    finishInput(input, readError, live, progress, totals);
    // MP3 states its bitrate in every frame header; the decoder reports it.
    if (totals.format.declaredBitrate <= 0 && codec_->bit_rate > 0) totals.format.declaredBitrate = codec_->bit_rate;
    totals.seconds += progress.seconds;
    ++totals.inputs;

    if (!live && fmt.ctx->iformat->name == std::string("mpegts") && input.bytesRead() % kTsPacket != 0)
        throw AudioError(name + " is truncated: " + std::to_string(input.bytesRead()) +
                         " bytes is not a whole number of 188-byte transport stream packets");
    progress.throwIfTooManyBad(name, live);
    if (progress.seconds <= 0) throw AudioError(name + " holds no decodable audio (" + codecName + ")");
}

void AudioDecoder::openDecoder(const AVStream& stream, const std::string& name, const std::string& codecName) {
    const AVCodec* codec = codec_ != nullptr && codec_->codec_id == stream.codecpar->codec_id
                               ? codec_->codec
                               : avcodec_find_decoder(stream.codecpar->codec_id);
    if (codec == nullptr) throw AudioError(name + ": FFmpeg has no decoder for " + codecName);
    // Segments of one stream follow each other: one decoder carries on across them (no fresh start,
    // and no decoder set-up, at every segment) as long as the codec stays the same.
    if (codec_ != nullptr && (codec_->codec_id != codec->id || holdsFramesBack(codec) || stream.codecpar->extradata_size > 0))
        avcodec_free_context(&codec_);
    if (codec_ != nullptr) return;
    codec_ = avcodec_alloc_context3(codec);
    if (codec_ == nullptr || avcodec_parameters_to_context(codec_, stream.codecpar) < 0) {
        avcodec_free_context(&codec_);
        throw AudioError("out of memory");
    }
    codec_->thread_count = 1;
    codec_->pkt_timebase = stream.time_base;
    const int err = avcodec_open2(codec_, codec, nullptr);
    if (err < 0) {
        avcodec_free_context(&codec_);
        throw AudioError(name + ": cannot open the " + codecName + " decoder: " + avErrorText(err));
    }
}

int AudioDecoder::readPackets(AVFormatContext* fmt, int index, AVPacket* packet, AvInput& input, double maxSeconds, Progress& progress,
                              DecodeTotals& totals) {
    const bool live = std::isfinite(maxSeconds);
    while (!live || progress.seconds < maxSeconds || !(input.atLiveEdge() || progress.seconds >= maxSeconds + kLongestBurst)) {
        const int err = av_read_frame(fmt, packet);
        if (err < 0) return readErrorOf(err, fmt);
        if (packet->stream_index == index) {
            ++progress.packets;
            totals.packetBytes += static_cast<unsigned long long>(packet->size);
            const int r = avcodec_send_packet(codec_, packet);
            if (r < 0 && r != AVERROR(EAGAIN)) progress.countBad(r);
            receiveFrames(progress, totals);
        }
        av_packet_unref(packet);
    }
    return 0;
}

void AudioDecoder::receiveFrames(Progress& progress, DecodeTotals& totals) {
    AVFrame* const frame = progress.frame;
    while (true) {
        const int r = avcodec_receive_frame(codec_, frame);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
        if (r < 0) {
            progress.countBad(r);
            return;
        }
        if (frame->sample_rate > 0 && frame->nb_samples > 0) {
            resampleInto(*frame);
            progress.seconds += static_cast<double>(frame->nb_samples) / frame->sample_rate;
            totals.format.sampleRate = frame->sample_rate;
            totals.format.channels = frame->ch_layout.nb_channels;
        }
        av_frame_unref(frame);
    }
}

void AudioDecoder::finishInput(AvInput& input, int readError, bool live, Progress& progress, DecodeTotals& totals) {
    const BudgetStop stop = input.budget().stop();
    if (stop != BudgetStop::None || readError != 0) {
        // A live sample that the timeout ends after some audio is a shorter sample, not a failure.
        const bool cutShort = live && stop == BudgetStop::Deadline && progress.seconds >= kShortestUsefulSample;
        if (!cutShort) throw AudioError(input.location() + ": " + input.explain(readError != 0 ? readError : AVERROR_EXIT));
    } else if (holdsFramesBack(codec_->codec)) {
        // A decoder that holds frames back gives them up at the end of the input.
        avcodec_send_packet(codec_, nullptr);
        receiveFrames(progress, totals);
    }
}

void AudioDecoder::resampleInto(const AVFrame& f) {
    const int channels = f.ch_layout.nb_channels;
    if (channels <= 0 || channels > 8) throw AudioError("audio with " + std::to_string(channels) + " channels (at most 8 are measured)");
    meter_.format(f.sample_rate, channels);
    if (f.format == AV_SAMPLE_FMT_FLT) {
        meter_.add(reinterpret_cast<const float*>(f.data[0]), static_cast<std::size_t>(f.nb_samples));
        return;
    }
    if (swr_ == nullptr || f.format != swrFormat_ || f.sample_rate != swrRate_ || channels != swrChannels_) {
        swr_free(&swr_);
        AVChannelLayout layout{};
        if (f.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
            av_channel_layout_default(&layout, channels);
        else
            av_channel_layout_copy(&layout, &f.ch_layout);
        const int r = swr_alloc_set_opts2(&swr_, &layout, AV_SAMPLE_FMT_FLT, f.sample_rate, &layout, static_cast<AVSampleFormat>(f.format),
                                          f.sample_rate, 0, nullptr);
        av_channel_layout_uninit(&layout);
        if (r < 0 || swr_init(swr_) < 0) {
            swr_free(&swr_);
            const char* format = av_get_sample_fmt_name(static_cast<AVSampleFormat>(f.format));
            throw AudioError("cannot convert " + std::string(format != nullptr ? format : "?") + " samples for measuring");
        }
        swrFormat_ = f.format;
        swrRate_ = f.sample_rate;
        swrChannels_ = channels;
    }
    interleaved_.resize(static_cast<std::size_t>(f.nb_samples) * static_cast<std::size_t>(channels));
    auto* out = reinterpret_cast<std::uint8_t*>(interleaved_.data());
    const int n = swr_convert(swr_, &out, f.nb_samples, const_cast<const std::uint8_t**>(f.extended_data), f.nb_samples);
    if (n < 0) throw AudioError("cannot convert samples for measuring: " + avErrorText(n));
    meter_.add(interleaved_.data(), static_cast<std::size_t>(n));
}

}  // namespace watchdog::audio
