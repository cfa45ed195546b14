#include "AudioCheck.h"

namespace watchdog::audio {

const OptionTable& AudioCheck::declaredOptions() {
    static const OptionTable table{
        {"directory", "path", "", "one of `directory` or `url` is required", "", "/var/www/hls",
         "a local HLS folder (relative paths are relative to the pipeline file)"},
        {"playlist", "file name or path (only with `directory`)", "", "off: scan the folder", "", "live.m3u8",
         "follow this playlist (media or master) instead of scanning; relative to `directory`"},
        {"pattern", "shell glob (only with `directory`, not with `playlist`)", "*.ts", "", "", "*.aac", "the segment files, when scanning"},
        {"url", "`http://` or `https://` URL", "", "one of `directory` or `url` is required", "",
         "`https://radio.example/hls/live.m3u8`, `http://127.0.0.1:8000/live`",
         "an HLS playlist (master or media) or a live stream (an Icecast mount)"},
        {"ca_file", "path (only with an `https://` url)", "", "the system's CAs", "", "/etc/ssl/private-ca.pem",
         "extra trusted certificates (PEM)"},
        {"threshold", "level: `-50dB`, `-50`, `-50LUFS` (-100 to 0)", "-50dB", "", "", "-55dB", "momentary loudness below this is silence"},
        {"max_silence", "duration", "15s", "", "> 0", "1m", "fail when the silence has lasted longer than this (across runs)"},
        {"sample", "duration, 500ms to 10m", "5s", "", "", "3s",
         "a live stream: how much audio a run decodes at least; with HLS it widens the window of segments decoded (`max_silence` + `sample`)"},
        {"max_bytes", "size, 64K to 1G", "16M", "", "", "4M",
         "bytes read per run at most (playlists, segments, stream): a 1 GB \"segment\" is never read whole. On disk, a segment larger than what is left is not opened at all"},
        {"codec", "FFmpeg codec name", "", "any", "", "`aac`, `mp3`, `opus`", "expected codec; another one fails with what was found"},
        {"sample_rate", "integer Hz, 8000 to 384000", "", "any", "", "44100", "expected sample rate"},
        {"channels", "integer, 1 to 8", "", "any", "", "2", "expected channel count"},
        {"min_bitrate", "bitrate: `96k`, `128kbit/s`, `96000`", "", "none", "", "96k",
         "fail below this. The bitrate is the one the stream declares (MP3 frame headers), else the one measured: compressed audio bytes over decoded seconds (for AAC in MPEG-TS, ADTS headers included: a few kbit/s above the encoder's setting)"},
    };
    return table;
}

}  // namespace watchdog::audio
