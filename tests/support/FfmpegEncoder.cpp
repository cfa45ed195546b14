#include "FfmpegEncoder.h"

#include <csignal>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace watchdog::test {

namespace {
std::string formatSeconds(double s) {
    std::ostringstream out;
    out << s;
    return out.str();
}
}  // namespace

FfmpegEncoder::Settings FfmpegEncoder::icecastOnly(const std::string& icecastUrl) {
    Settings s;
    s.icecastUrl = icecastUrl;
    return s;
}

FfmpegEncoder::Settings FfmpegEncoder::hlsOnly(const std::string& directory, int listSize) {
    Settings s;
    s.hlsDirectory = directory;
    s.hlsListSize = listSize;
    return s;
}

std::vector<std::string> FfmpegEncoder::toneInput(int hz) {
    return {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "warning",
            "-re",    "-f",       "lavfi",        "-i",        "sine=frequency=" + std::to_string(hz) + ":sample_rate=44100"};
}

std::vector<std::string> FfmpegEncoder::mp3Output(const std::string& icecastUrl) {
    return {"-c:a", "libmp3lame", "-b:a", "64k", "-content_type", "audio/mpeg", "-f", "mp3", icecastUrl};
}

std::vector<std::string> FfmpegEncoder::hlsOutput(const std::string& directory, double segmentSeconds, int listSize, bool deleteSegments) {
    std::vector<std::string> out{
        "-c:a", "aac", "-b:a", "64k", "-f", "hls", "-hls_time", formatSeconds(segmentSeconds), "-hls_list_size", std::to_string(listSize)};
    if (deleteSegments) out.insert(out.end(), {"-hls_flags", "delete_segments"});
    out.insert(out.end(),
               {"-hls_segment_filename", (fs::path(directory) / "seg%05d.ts").string(), (fs::path(directory) / "live.m3u8").string()});
    return out;
}

FfmpegEncoder::FfmpegEncoder(Settings settings) : settings_(std::move(settings)) {
    if (findProgram("ffmpeg").empty())
        throw std::runtime_error("ffmpeg is not installed: apt-get install ffmpeg (the tests need a real encoder)");
    if (settings_.icecastUrl.empty() && settings_.hlsDirectory.empty())
        throw std::invalid_argument("FfmpegEncoder needs an icecastUrl or an hlsDirectory");
    argv_ = toneInput(settings_.toneHz);
    if (!settings_.icecastUrl.empty()) {
        argv_.insert(argv_.end(), {"-ice_name", "watchdog test tone"});
        const auto mp3 = mp3Output(settings_.icecastUrl);
        argv_.insert(argv_.end(), mp3.begin(), mp3.end());
    }
    if (!settings_.hlsDirectory.empty()) {
        fs::create_directories(settings_.hlsDirectory);
        const auto hls = hlsOutput(settings_.hlsDirectory, settings_.hlsSegmentSeconds, settings_.hlsListSize, settings_.hlsDeleteSegments);
        argv_.insert(argv_.end(), hls.begin(), hls.end());
    }
    process_ = std::make_unique<ChildProcess>(argv_);
}

FfmpegEncoder::~FfmpegEncoder() { kill(); }

void FfmpegEncoder::stop() { process_->stop(std::chrono::milliseconds(3000)); }

void FfmpegEncoder::kill() {
    if (!process_->running()) return;
    process_->signal(SIGKILL);
    process_->wait(std::chrono::milliseconds(5000));
}

std::string FfmpegEncoder::playlistPath() const { return (fs::path(settings_.hlsDirectory) / "live.m3u8").string(); }

int FfmpegEncoder::segmentCount() const {
    int n = 0;
    std::error_code ec;
    for (fs::directory_iterator it(settings_.hlsDirectory, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".ts") ++n;
    }
    return n;
}

bool FfmpegEncoder::waitForSegments(int segments, std::chrono::milliseconds timeout) const {
    return waitUntil([&] { return fs::exists(playlistPath()) && segmentCount() >= segments; }, timeout, std::chrono::milliseconds(50));
}

}  // namespace watchdog::test
