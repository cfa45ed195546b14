#pragma once

// One readdir + fstatat pass over an HLS folder: the oldest and newest matching file, and a
// playlist's segment list. No sorting, no per-file process.

#include <chrono>
#include <string>
#include <vector>

namespace watchdog::hls_age {

/// A file and its modification time.
struct AgedFile {
    std::string name;                             ///< file name within the folder
    std::chrono::system_clock::time_point mtime;  ///< last modification
};

/// What one pass over the folder found.
struct HlsAgeScan {
    long long matching = 0;  ///< regular files matching the pattern, not excluded
    AgedFile oldest;         ///< valid when matching > 0
    AgedFile newest;         ///< valid when matching > 0
};

/// Scans `directory` for regular files whose names match `pattern` (a shell glob) and no `exclude`
/// glob. Throws std::system_error "cannot read directory DIR: REASON". Files deleted during the scan
/// are skipped.
HlsAgeScan scanAges(const std::string& directory, const std::string& pattern, const std::vector<std::string>& exclude);

/// The media URIs an m3u8 playlist lists (non-comment lines), in order, without query strings.
std::vector<std::string> playlistSegments(const std::string& playlistText);

}  // namespace watchdog::hls_age
