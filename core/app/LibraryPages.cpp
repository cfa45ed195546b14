#include "LibraryPages.h"

#include <sys/mman.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace watchdog {
namespace {

struct Mapping {
    unsigned long start = 0;
    unsigned long end = 0;
    bool trimmable = false;
    std::size_t rssKiB = 0;
    std::size_t anonymousKiB = 0;
};

// One /proc/self/smaps header line: "start-end perms offset dev inode [path]".
Mapping parseHeader(const std::string& line) {
    Mapping m;
    char perms[8] = {};
    unsigned long offset = 0, inode = 0;
    char dev[16] = {};
    int pathAt = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %15s %lu %n", &m.start, &m.end, perms, &offset, dev, &inode, &pathAt) < 6) return m;
    const bool readOnlyPrivate = perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p';
    m.trimmable = readOnlyPrivate && inode != 0 && pathAt > 0 && line.compare(static_cast<std::size_t>(pathAt), 1, "/") == 0;
    return m;
}

std::vector<Mapping> readMappings() {
    std::vector<Mapping> mappings;
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    while (std::getline(smaps, line)) {
        std::size_t kib = 0;
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') < line.find(' ')) {
            mappings.push_back(parseHeader(line));
        } else if (!mappings.empty() && std::sscanf(line.c_str(), "Rss: %zu kB", &kib) == 1) {
            mappings.back().rssKiB = kib;
        } else if (!mappings.empty() && std::sscanf(line.c_str(), "Anonymous: %zu kB", &kib) == 1) {
            mappings.back().anonymousKiB = kib;
        }
    }
    return mappings;
}

}  // namespace

LibraryPageTrim planLibraryPageTrim() {
    LibraryPageTrim plan;
    for (const Mapping& m : readMappings()) {
        if (!m.trimmable || m.anonymousKiB != 0) continue;
        plan.ranges.emplace_back(m.start, m.end - m.start);
        ++plan.mappings;
        plan.residentBefore += m.rssKiB * 1024;
    }
    return plan;
}

std::size_t unmapLibraryPages(const LibraryPageTrim& plan) {
    std::size_t trimmed = 0;
    for (const auto& [start, length] : plan.ranges)
        if (madvise(reinterpret_cast<void*>(start), length, MADV_DONTNEED) == 0) ++trimmed;
    return trimmed;
}

LibraryPageTrim trimLibraryPages() {
    LibraryPageTrim trim = planLibraryPageTrim();
    trim.mappings = unmapLibraryPages(trim);
    return trim;
}

}  // namespace watchdog
