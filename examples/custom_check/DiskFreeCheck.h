#pragma once

// disk_free: fails when the file system holding `path` has less than `min_free` available, so a full
// HLS disk is caught before the encoder stops writing segments.
#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>

class DiskFreeCheck : public watchdog::Check {
public:
    /// The options configure() reads, as README.md lists them (`plugins --options disk_free` prints them).
    static const watchdog::OptionTable& declaredOptions();
    /// Reads path and min_free through the table.
    void configure(const watchdog::Options& block) override;
    /// Passes while more than min_free is available; an unreadable path is an error.
    watchdog::Result run(const watchdog::CheckContext& context) override;

private:
    std::string path_;
    unsigned long long minFree_ = 0;
};
