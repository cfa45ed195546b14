// status_min_interval with a hand-driven clock: one on-demand status report per window, the rest
// refused with the time the next may go, and only the first refusal of a window marked for the log.
#include "engine/StatusReportLimiter.h"

#include "ManualClock.h"

#include <doctest/doctest.h>

using namespace watchdog;
using watchdog::test::ManualClock;
using namespace std::chrono_literals;

TEST_CASE("200 requests inside one window send one report; the window's end lets the next one go") {
    ManualClock clock;
    StatusReportLimiter limiter(clock, 1min);
    const TimePoint first = clock.t;
    CHECK(limiter.request().accepted);

    int refused = 0, logged = 0;
    for (int i = 0; i < 199; ++i) {
        clock.t += 100ms;
        const auto d = limiter.request();
        if (d.accepted) continue;
        ++refused;
        logged += d.firstRefusal;
        CHECK(*d.next == first + 1min);
    }
    CHECK(refused == 199);
    CHECK(logged == 1);

    clock.t = first + 1min;
    const auto next = limiter.request();
    CHECK(next.accepted);
    CHECK(next.refusedBefore == 199);
    clock.t += 1s;
    const auto again = limiter.request();
    CHECK_FALSE(again.accepted);
    CHECK(again.firstRefusal);
    CHECK(*again.next == first + 2min);
}

TEST_CASE("status_min_interval 0 sends every request; a clock set back does not block reports") {
    ManualClock clock;
    StatusReportLimiter unlimited(clock, 0ms);
    for (int i = 0; i < 5; ++i) CHECK(unlimited.request().accepted);

    StatusReportLimiter limiter(clock, 1h);
    CHECK(limiter.request().accepted);
    clock.t -= 10min;
    CHECK(limiter.request().accepted);
}

TEST_CASE("a reload that shortens status_min_interval applies it to the current window") {
    ManualClock clock;
    StatusReportLimiter limiter(clock, 1h);
    CHECK(limiter.request().accepted);
    clock.t += 2min;
    CHECK_FALSE(limiter.request().accepted);
    limiter.setMinInterval(1min);
    CHECK(limiter.request().accepted);
}
