#pragma once

#include <string>

namespace watchdog::common {

/// Replaces `path` with `text` so that a crash leaves the old or the new file, never a torn one:
/// written to `path.tmp`, fsync'd, renamed over `path`, the folder fsync'd. Throws std::runtime_error
/// naming the file and the system's reason.
void writeFileAtomically(const std::string& path, const std::string& text);

}  // namespace watchdog::common
