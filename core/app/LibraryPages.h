#pragma once

// Keeps the libraries' code mapped only where the running daemon uses it. Start-up code (YAML parsing,
// validation, plugin loading, the first checks) stays mapped after it ran, 64 KiB around each page it
// touched (the kernel's fault-around), so it counts in RSS and Pss for the daemon's lifetime and the
// kernel cannot reclaim it as easily as unmapped page cache. Trimming once after start-up drops those
// clean pages from the process; they stay in the page cache, and whatever the daemon still uses is
// mapped again on its next use.

#include <cstddef>

namespace watchdog {

/// What one trim did.
struct LibraryPageTrim {
    std::size_t mappings = 0;        ///< read-only file mappings trimmed
    std::size_t residentBefore = 0;  ///< their resident bytes before
};

/// For every read-only, private, file-backed mapping without a private copy of any page (code,
/// read-only data; never the relocated RELRO pages, which hold a copy): madvise MADV_DONTNEED, which
/// unmaps its pages; the next access maps them again from the page cache. Safe while other threads
/// run: those pages are never written. Errors are ignored: this is an optimisation only.
LibraryPageTrim trimLibraryPages();

}  // namespace watchdog
