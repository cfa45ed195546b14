#include "AudioSource.h"

#include "HlsPlaylist.h"
#include <watchdog/HumanFormat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <time.h>

namespace watchdog::audio {

namespace {

constexpr std::size_t kMaxPlaylistBytes = 1 << 20;
constexpr long long kNsPerSecond = 1'000'000'000LL;
constexpr long long kDefaultGapNs = 10 * kNsPerSecond;  // when too few files show the encoder's rhythm

struct DirCloser {
    DIR* dir;
    ~DirCloser() { ::closedir(dir); }
};

struct FileEntry {
    std::string name;
    long long mtimeNs = 0;
    unsigned long long bytes = 0;
};

long long nowRealtimeNs() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<long long>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

bool looksLikeHtml(std::string head, const std::string& mimeType) {
    if (mimeType.rfind("text/html", 0) == 0) return true;
    head.erase(0, head.find_first_not_of(" \t\r\n"));
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return head.rfind("<!doctype html", 0) == 0 || head.rfind("<html", 0) == 0 || head.rfind("<head", 0) == 0;
}

}  // namespace

std::vector<SegmentCandidate> SegmentCursor::pick(const std::vector<SegmentCandidate>& candidates, double window,
                                                  unsigned long long maxBytes, SourceNotes& notes) {
    if (candidates.empty()) return {};
    // A newest segment older than the last one decoded means the encoder started again (a media
    // sequence back at 0): everything on offer is new.
    const bool restarted = last_ && candidates.back().key.first < last_->first;
    std::vector<SegmentCandidate> fresh;
    for (const auto& c : candidates)
        if (!last_ || restarted || c.key > *last_) fresh.push_back(c);
    notes.newSegments = static_cast<int>(fresh.size());
    if (fresh.empty()) return {};
    // Moved before decoding: a segment that cannot be decoded is reported once, not on every run.
    const bool previous = last_.has_value();
    last_ = fresh.back().key;
    std::vector<SegmentCandidate> picked;
    double seconds = 0;
    unsigned long long bytes = 0;
    for (auto it = fresh.rbegin(); it != fresh.rend(); ++it) {
        if (picked.empty() && it->bytes > maxBytes)
            throw AudioError(it->location + " is " + formatBytes(it->bytes) + ", more than max_bytes (" + formatBytes(maxBytes) +
                             "): not read");
        if (!picked.empty() && (seconds >= window || bytes + it->bytes > maxBytes)) break;
        picked.push_back(*it);
        seconds += it->seconds;
        bytes += it->bytes;
    }
    notes.skippedSegments = static_cast<int>(fresh.size() - picked.size());
    std::reverse(picked.begin(), picked.end());
    notes.continues = previous && !restarted && notes.skippedSegments == 0;
    return picked;
}

std::vector<SegmentCandidate> AudioSource::scanDirectory(const std::string& directory, const std::string& pattern, SourceNotes& notes) {
    DIR* dir = ::opendir(directory.c_str());
    if (dir == nullptr) throw AudioError("cannot read directory " + directory + ": " + std::strerror(errno));
    DirCloser closer{dir};
    const int fd = ::dirfd(dir);
    std::vector<FileEntry> files;
    while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.' || ::fnmatch(pattern.c_str(), e->d_name, 0) != 0) continue;
        struct stat st {};
        // The encoder deletes old segments as it goes: one gone since readdir is simply skipped.
        if (::fstatat(fd, e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode)) continue;
        files.push_back(FileEntry{e->d_name, static_cast<long long>(st.st_mtim.tv_sec) * kNsPerSecond + st.st_mtim.tv_nsec,
                                  static_cast<unsigned long long>(st.st_size)});
    }
    std::sort(files.begin(), files.end(),
              [](const FileEntry& a, const FileEntry& b) { return std::tie(a.mtimeNs, a.name) < std::tie(b.mtimeNs, b.name); });
    if (files.empty()) return {};
    // The usual gap between two finished segments is the segment duration; the newest file is still
    // being written while it is younger than that (with a margin).
    std::vector<long long> gaps;
    for (std::size_t i = 1; i + 1 < files.size(); ++i) gaps.push_back(files[i].mtimeNs - files[i - 1].mtimeNs);
    long long usualGap = kDefaultGapNs;
    if (!gaps.empty()) {
        std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
        usualGap = std::max(gaps[gaps.size() / 2], kNsPerSecond / 10);
    }
    if (nowRealtimeNs() - files.back().mtimeNs < usualGap + usualGap / 2) {
        files.pop_back();
        notes.skippedPartial = true;
    }
    std::vector<SegmentCandidate> out;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const long long gap = i == 0 ? usualGap : files[i].mtimeNs - files[i - 1].mtimeNs;
        out.push_back(SegmentCandidate{
            directory + "/" + files[i].name, {files[i].mtimeNs, files[i].name}, static_cast<double>(gap) / kNsPerSecond, files[i].bytes});
    }
    return out;
}

std::string AudioSource::fetchPlaylist(const std::string& location, ReadBudget& budget) {
    AvInput input(location, budget, settings_.caFile);
    return input.readText(kMaxPlaylistBytes);
}

std::vector<SegmentCandidate> AudioSource::playlistSegments(const std::string& location, const std::string& text, ReadBudget& budget) {
    std::string base = location;
    HlsPlaylist playlist = parseHlsPlaylist(text, location);
    if (playlist.master) {
        if (playlist.variants.empty()) throw AudioError(location + " is a master playlist that lists no variant");
        base = resolvePlaylistUri(location, playlist.variants.front());
        playlist = parseHlsPlaylist(fetchPlaylist(base, budget), base);
        if (playlist.master) throw AudioError(base + " (the first variant of " + location + ") is a master playlist too");
    }
    if (!playlist.unsupported.empty()) throw AudioError(base + " lists " + playlist.unsupported + ", which this check cannot decode");
    std::vector<SegmentCandidate> out;
    const bool local = !(base.rfind("http://", 0) == 0 || base.rfind("https://", 0) == 0);
    for (const auto& s : playlist.segments) {
        SegmentCandidate c{resolvePlaylistUri(base, s.uri), {s.sequence, s.uri}, s.seconds, 0};
        struct stat st {};
        if (local && ::stat(c.location.c_str(), &st) == 0) c.bytes = static_cast<unsigned long long>(st.st_size);
        out.push_back(std::move(c));
    }
    return out;
}

void AudioSource::readSegments(const std::vector<SegmentCandidate>& candidates, ReadBudget& budget, AudioDecoder& decoder,
                               DecodeTotals& totals, SourceNotes& notes) {
    const double window = std::chrono::duration<double>(settings_.window()).count();
    const auto picked = cursor_.pick(candidates, window, budget.remainingBytes(), notes);
    // The decoder carries on from the last run only where the audio does: after a gap, an MP3
    // decoder would build its first frame from another moment's bit reservoir. A run that finds
    // nothing new leaves no gap.
    if (!picked.empty() && !notes.continues) decoder.reset();
    for (const auto& segment : picked) {
        AvInput input(segment.location, budget, settings_.caFile);
        decoder.decode(input, totals);
    }
}

void AudioSource::readStream(AvInput& input, AudioDecoder& decoder, DecodeTotals& totals, SourceNotes& notes) {
    decoder.reset();  // each sample starts wherever the server's burst starts
    const std::string head = input.peek(512);
    if (head.empty()) throw AudioError(input.location() + " sent an empty answer, no audio");
    const std::string mimeType = input.mimeType();
    if (looksLikeHtml(head, mimeType))
        throw AudioError(input.location() + " sent an HTML page" + (mimeType.empty() ? "" : " (" + mimeType + ")") + ", not audio");
    decoder.decode(input, totals, std::chrono::duration<double>(settings_.sample).count());
    notes.what =
        "a " + human::duration(std::chrono::milliseconds(static_cast<long long>(totals.seconds * 1000))) + " sample of " + input.location();
}

void AudioSource::read(ReadBudget& budget, AudioDecoder& decoder, DecodeTotals& totals, SourceNotes& notes) {
    if (!settings_.directory.empty()) {
        const bool scan = settings_.playlist.empty();
        const auto candidates = scan ? scanDirectory(settings_.directory, settings_.pattern, notes)
                                     : playlistSegments(settings_.playlist, fetchPlaylist(settings_.playlist, budget), budget);
        readSegments(candidates, budget, decoder, totals, notes);
        notes.what = scan ? settings_.directory : settings_.playlist;
        return;
    }
    std::string text;
    {
        AvInput input(settings_.url, budget, settings_.caFile);
        // One request tells a playlist from a live stream: a playlist starts with #EXTM3U.
        if (!looksLikePlaylist(input.peek(7))) {
            readStream(input, decoder, totals, notes);
            return;
        }
        text = input.readText(kMaxPlaylistBytes);
    }
    readSegments(playlistSegments(settings_.url, text, budget), budget, decoder, totals, notes);
    notes.what = settings_.url;
}

}  // namespace watchdog::audio
