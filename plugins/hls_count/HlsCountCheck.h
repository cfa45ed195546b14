#pragma once

#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>

#include <string>
#include <vector>

namespace watchdog::hls_count {

/// The hls_count check's options, read once by configure().
struct HlsCountSettings {
    std::string directory;             ///< the HLS output folder
    std::string pattern = "*.ts";      ///< shell glob the counted names match
    std::vector<std::string> exclude;  ///< names (or globs) never counted
    long long maxFiles = 20;           ///< more than this fails
    long long minFiles = 0;            ///< fewer than this fails (0: no minimum)
};

/// What one pass over the directory found.
struct HlsFileCount {
    long long matching = 0;  ///< regular files matching the pattern and not excluded
    long long excluded = 0;  ///< files matching the pattern that the exclude list skipped
};

/// Counts the files matching a pattern in the HLS directory (one readdir pass, no per-file process).
class HlsCountCheck : public Check {
public:
    /// Reads directory, pattern, exclude, max_files, min_files.
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    /// Counts once and compares with the limits.
    Result run(const CheckContext& context) override;

    /// One readdir pass; stat only for entries whose type readdir does not give. Throws
    /// std::system_error naming the directory when it cannot be read.
    static HlsFileCount count(const HlsCountSettings& settings);
    /// The options as configure() read them.
    const HlsCountSettings& settings() const { return settings_; }

private:
    HlsCountSettings settings_;
};

}  // namespace watchdog::hls_count
