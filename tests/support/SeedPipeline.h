#pragma once

// The seed station's pipeline on local fixtures, for footprint and startup measurements: the old
// script's four checks, Discord and AWS start in dry run, SQLite history, and optionally MySQL.

#include "TestSupport.h"

#include <string>

namespace watchdog::test {

/// Writes `dir`/pipeline.yaml and its fixtures and returns the file's path. The encoder is this
/// process (its pid file), the HLS folder holds a fresh playlist and three segments, Icecast is a
/// closed loopback port (the check fails fast, as with a stopped Icecast). `interval` applies to
/// every check; `extraSinks` is appended under `sinks:` (e.g. "  - { plugin: mysql, ... }\n").
std::string writeSeedPipeline(const TempDir& dir, const std::string& interval, const std::string& extraSinks = "");

/// Memory of a running process from /proc/PID/smaps_rollup and status, in KiB.
struct ProcessFootprint {
    long rssKiB = 0;           ///< resident set
    long pssKiB = 0;           ///< proportional set: shared pages divided among the processes mapping them
    long privateDirtyKiB = 0;  ///< written pages only this process holds
    long threads = 0;          ///< threads
    long sharedObjects = 0;    ///< mappings of .so files
};

/// Reads the footprint of process `pid`; throws std::runtime_error when it is gone.
ProcessFootprint readFootprint(int pid);

}  // namespace watchdog::test
