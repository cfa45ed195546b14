#include "HlsAgeScan.h"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sstream>
#include <sys/stat.h>
#include <system_error>

namespace watchdog::hls_age {

namespace {

struct DirCloser {
    DIR* dir;
    ~DirCloser() { ::closedir(dir); }
};

std::chrono::system_clock::time_point toTimePoint(const struct timespec& ts) {
    return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

}  // namespace

HlsAgeScan scanAges(const std::string& directory, const std::string& pattern, const std::vector<std::string>& exclude) {
    DIR* dir = ::opendir(directory.c_str());
    if (dir == nullptr) throw std::system_error(errno, std::generic_category(), "cannot read directory " + directory);
    DirCloser closer{dir};
    const int fd = ::dirfd(dir);
    HlsAgeScan scan;
    while (true) {
        errno = 0;
        const dirent* e = ::readdir(dir);
        if (e == nullptr) {
            if (errno != 0) throw std::system_error(errno, std::generic_category(), "cannot read directory " + directory);
            break;
        }
        const char* name = e->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
        if (e->d_type != DT_REG && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue;
        if (::fnmatch(pattern.c_str(), name, 0) != 0) continue;
        bool excluded = false;
        for (const auto& g : exclude) excluded = excluded || ::fnmatch(g.c_str(), name, 0) == 0;
        if (excluded) continue;
        struct stat st {};
        // ENOENT: the encoder deleted the segment between readdir and stat; it is simply gone.
        if (::fstatat(fd, name, &st, 0) != 0 || !S_ISREG(st.st_mode)) continue;
        auto mtime = toTimePoint(st.st_mtim);
        if (scan.matching == 0 || mtime < scan.oldest.mtime) scan.oldest = {name, mtime};
        if (scan.matching == 0 || mtime > scan.newest.mtime) scan.newest = {name, mtime};
        ++scan.matching;
    }
    return scan;
}

std::vector<std::string> playlistSegments(const std::string& playlistText) {
    std::vector<std::string> out;
    std::istringstream in(playlistText);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#') continue;
        line = line.substr(start);
        auto query = line.find_first_of("?#");
        if (query != std::string::npos) line.erase(query);
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

}  // namespace watchdog::hls_age
