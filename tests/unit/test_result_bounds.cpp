// What a plugin or the server it reads returns is bounded and printable before anything logs,
// records or renders it.
#include "common/ResultBounds.h"
#include "engine/Scheduler.h"
#include <watchdog/Check.h>

#include <doctest/doctest.h>

using namespace watchdog;

namespace {

/// A check that returns whatever it was given.
class EchoCheck : public Check {
public:
    explicit EchoCheck(Result r) : result_(std::move(r)) {}
    void configure(const Options&) override {}
    Result run(const CheckContext&) override { return result_; }

private:
    Result result_;
};

}  // namespace

TEST_CASE("control characters cannot forge a log line or send terminal escapes") {
    CHECK(printable("mount /live\n2026-12-02 [error] forged", 200) == "mount /live\\n2026-12-02 [error] forged");
    CHECK(printable("\x1b[31mred\x1b[0m\t\x7f", 200) == "\\e[31mred\\e[0m\\t\\x7F");
    CHECK(printable("caf\xc3\xa9 \xe2\x9c\x93", 200) == "caf\xc3\xa9 \xe2\x9c\x93");
}

TEST_CASE("long text is cut on a character boundary with an ellipsis, and text that fits is kept whole") {
    CHECK(printable(std::string(10, 'a'), 10) == std::string(10, 'a'));
    CHECK(printable(std::string(11, 'a'), 10) == std::string(7, 'a') + "\u2026");
    const std::string accents = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";  // six two-byte characters
    CHECK(printable(accents, 8) == "\xc3\xa9\xc3\xa9\u2026");
}

TEST_CASE("a 64 MiB summary and 90k details come out of a check bounded") {
    Result huge = Result::fail(std::string(64u << 20, 'x'));
    huge.unit = std::string(100, 'u');
    for (int i = 0; i < 90000; ++i) huge.detail("/mount" + std::to_string(i), std::string(1000, 'v'));
    EchoCheck check(std::move(huge));
    const Result r = runCheckSafely(check, CheckContext{});
    CHECK(std::string(toString(r.status)) == "fail");
    CHECK(r.summary.size() <= ResultLimits::summaryBytes);
    CHECK(r.unit.size() <= ResultLimits::unitBytes);
    REQUIRE(r.details.size() == ResultLimits::detailCount);
    CHECK(r.details.front().first == "/mount0");
    CHECK(r.details.front().second.size() <= ResultLimits::detailValueBytes);
    CHECK(r.details.back().first == "details");
    CHECK(r.details.back().second == "89937 more not shown");
}
