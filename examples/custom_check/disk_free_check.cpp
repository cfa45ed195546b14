// disk_free: fails when the file system holding `path` has less than `min_free` available, so a full
// HLS disk is caught before the encoder stops writing segments.
#include <watchdog/Duration.h>
#include <watchdog/Plugin.h>

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

namespace {

std::string humanSize(unsigned long long bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

class DiskFreeCheck : public watchdog::Check {
public:
    void configure(const watchdog::Options& options) override {
        path_ = options.path("path");
        minFree_ = options.size("min_free", 1ULL << 30);
    }

    watchdog::Result run(const watchdog::CheckContext&) override {
        struct statvfs fs {};
        if (statvfs(path_.c_str(), &fs) != 0) return watchdog::Result::error("cannot read " + path_ + ": " + std::strerror(errno));
        const unsigned long long available = static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize;
        const std::string text = humanSize(available) + " free on " + path_;
        watchdog::Result r = available < minFree_ ? watchdog::Result::fail(text + ", below " + humanSize(minFree_))
                                                  : watchdog::Result::pass(text);
        r.withValue(static_cast<double>(available), "bytes");
        return r;
    }

private:
    std::string path_;
    unsigned long long minFree_ = 0;
};

}  // namespace

WATCHDOG_CHECK_PLUGIN(DiskFreeCheck)
