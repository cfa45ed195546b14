#include "DiskFreeCheck.h"

#include <watchdog/HumanFormat.h>
#include <watchdog/Plugin.h>

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

static std::string gib(unsigned long long bytes) { return watchdog::human::number(static_cast<double>(bytes) / (1ULL << 30)) + " GiB"; }

const watchdog::OptionTable& DiskFreeCheck::declaredOptions() {
    static const watchdog::OptionTable table{
        // name, type, default, when absent, range, example, meaning (README.md shows the same table)
        {"path", "path", "", "required", "", "/var/www/hls",
         "any file or folder on the file system to watch; relative to the pipeline file"},
        {"min_free", "size", "1G", "", "", "2G", "fails when less than this is available to unprivileged users"},
    };
    return table;
}

void DiskFreeCheck::configure(const watchdog::Options& block) {
    const watchdog::DeclaredOptions options(block, declaredOptions());
    path_ = options.path("path");
    minFree_ = options.size("min_free");
}

watchdog::Result DiskFreeCheck::run(const watchdog::CheckContext&) {
    struct statvfs fs {};
    if (statvfs(path_.c_str(), &fs) != 0) return watchdog::Result::error("cannot read " + path_ + ": " + std::strerror(errno));
    const unsigned long long available = static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize;
    const std::string text = gib(available) + " free on " + path_;
    watchdog::Result r = available < minFree_ ? watchdog::Result::fail(text + ", below " + gib(minFree_)) : watchdog::Result::pass(text);
    r.withValue(static_cast<double>(available), "bytes");
    return r;
}

WATCHDOG_CHECK_PLUGIN(DiskFreeCheck)
