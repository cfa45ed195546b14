#pragma once

#include <watchdog/Abi.h>

#include <string>

namespace watchdog {

/// Replaces `path` with `text` so that a crash or a power cut leaves the old file or the new one,
/// never a torn one: written to `path.tmp`, fsync'd, renamed over `path`, the folder fsync'd (the
/// folder must exist). On failure `path` is untouched, `path.tmp` removed, and std::runtime_error
/// says which file could not be written and the system's reason ("cannot write F.tmp: No space left
/// on device").
WATCHDOG_API void writeFileAtomically(const std::string& path, const std::string& text);

}  // namespace watchdog
