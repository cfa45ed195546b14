#include <watchdog/Clock.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <string>

namespace watchdog {

long long toEpochMs(TimePoint t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }

TimePoint fromEpochMs(long long ms) {
    // A corrupt or hostile value (a state file, a record) must not overflow the clock's nanoseconds.
    using Ns = TimePoint::duration;
    constexpr long long limit = std::chrono::duration_cast<std::chrono::milliseconds>(Ns::max()).count() - 1;
    ms = std::max(-limit, std::min(limit, ms));
    return TimePoint(std::chrono::duration_cast<Ns>(std::chrono::milliseconds(ms)));
}

std::string toIso8601(TimePoint t) {
    const long long ms = toEpochMs(t);
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

std::string toLocalSeconds(TimePoint t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

}  // namespace watchdog
