#include "http/BearerToken.h"

#include <algorithm>
#include <cctype>

namespace watchdog {

namespace {

bool constantTimeEquals(const std::string& a, const std::string& b) {
    // Walk the longer length every time and fold the length difference in, so neither the content
    // nor the length of the expected token shortens the loop.
    const std::size_t n = std::max(a.size(), b.size());
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

}  // namespace

bool bearerTokenMatches(const std::string& expected, const std::string& authorization) {
    if (expected.empty()) return true;
    // RFC 6750 section 2.1: the scheme name is case-insensitive; one or more spaces follow it.
    static const std::string scheme = "bearer";
    if (authorization.size() <= scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return false;
    std::size_t start = scheme.size();
    if (authorization[start] != ' ') return false;
    while (start < authorization.size() && authorization[start] == ' ') ++start;
    std::size_t end = authorization.size();
    while (end > start && authorization[end - 1] == ' ') --end;
    return constantTimeEquals(expected, authorization.substr(start, end - start));
}

}  // namespace watchdog
