// The small pieces of the status server on their own: the bearer token comparison, Prometheus label
// escaping and the /history query string.
#include "http/BearerToken.h"
#include "http/HistoryJson.h"
#include "http/PrometheusText.h"

#include <doctest/doctest.h>

using namespace watchdog;

TEST_CASE("a bearer token matches only the exact token after the Bearer scheme") {
    CHECK(bearerTokenMatches("abc", "Bearer abc"));
    CHECK(bearerTokenMatches("abc", "BEARER   abc  "));
    CHECK_FALSE(bearerTokenMatches("abc", "Bearer abcd"));
    CHECK_FALSE(bearerTokenMatches("abc", "Bearer ab"));
    CHECK_FALSE(bearerTokenMatches("abc", "Bearer "));
    CHECK_FALSE(bearerTokenMatches("abc", "Bearerabc"));
    CHECK_FALSE(bearerTokenMatches("abc", "Basic abc"));
    CHECK_FALSE(bearerTokenMatches("abc", "abc"));
    CHECK_FALSE(bearerTokenMatches("abc", ""));
    CHECK(bearerTokenMatches("", ""));  // no token configured: everything passes
}

TEST_CASE("Prometheus label values escape backslash, quote and newline, and nothing else") {
    CHECK(escapeLabelValue("plain /live %") == "plain /live %");
    CHECK(escapeLabelValue("a\\b") == "a\\\\b");
    CHECK(escapeLabelValue("say \"hi\"") == "say \\\"hi\\\"");
    CHECK(escapeLabelValue("two\nlines") == "two\\nlines");
}

TEST_CASE("the /history query: defaults, durations, limits and clear errors") {
    const TimePoint now = fromEpochMs(1'800'000'000'000);
    HistoryQuery q = parseHistoryQuery("", now);
    CHECK(q.since == now - std::chrono::hours(1));
    CHECK(q.limit == 5000);
    CHECK(q.checkId.empty());
    q = parseHistoryQuery("since=6h&check=ts%5Fage&limit=20", now);
    CHECK(q.since == now - std::chrono::hours(6));
    CHECK(q.checkId == "ts_age");
    CHECK(q.limit == 20);
    CHECK(parseHistoryQuery("limit=99999999", now).limit == 100000);
    CHECK_THROWS_WITH_AS(parseHistoryQuery("since=0s", now), "since: '0s' is not a duration (use 15m, 1h, 2d)", BadHistoryQuery);
    CHECK_THROWS_WITH_AS(parseHistoryQuery("limit=0", now), "limit: '0' is not a positive whole number", BadHistoryQuery);
    CHECK_THROWS_WITH_AS(parseHistoryQuery("limit=5x", now), "limit: '5x' is not a positive whole number", BadHistoryQuery);
    CHECK_THROWS_WITH_AS(parseHistoryQuery("until=1h", now), "unknown parameter 'until' (use since, check, limit)", BadHistoryQuery);
}
