#pragma once

// Keeps the libraries' code mapped only where the running daemon uses it. Start-up code (YAML parsing,
// validation, plugin loading, the first checks) stays mapped after it ran, 64 KiB around each page it
// touched (the kernel's fault-around), so it counts in RSS and Pss for the daemon's lifetime and the
// kernel cannot reclaim it as easily as unmapped page cache. Trimming once after start-up drops those
// clean pages from the process; they stay in the page cache, and whatever the daemon still uses is
// mapped again on its next use.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace watchdog {

/// One trim: the mappings it unmaps and what they hold.
struct LibraryPageTrim {
    std::size_t mappings = 0;                                    ///< read-only file mappings to trim
    std::size_t residentBefore = 0;                              ///< their resident bytes before
    std::vector<std::pair<std::uintptr_t, std::size_t>> ranges;  ///< their start addresses and lengths
};

/// Finds every read-only, private, file-backed mapping without a private copy of any page (code,
/// read-only data; never the relocated RELRO pages, which hold a copy), from /proc/self/smaps.
LibraryPageTrim planLibraryPageTrim();

/// madvise MADV_DONTNEED on the plan's mappings, which unmaps their pages; the next access maps them
/// again from the page cache. Call it last (log before it): whatever code runs after it maps its
/// pages again and keeps them. Safe while other threads run: those pages are never written. Errors
/// are ignored: this is an optimisation only. Returns the mappings trimmed.
std::size_t unmapLibraryPages(const LibraryPageTrim& plan);

/// Both, for tests and callers with nothing to log.
LibraryPageTrim trimLibraryPages();

}  // namespace watchdog
