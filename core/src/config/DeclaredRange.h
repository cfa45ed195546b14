#pragma once

#include <watchdog/Options.h>

#include <sstream>
#include <string>
#include <utility>

namespace watchdog {

/// Every whole number (no declared range).
constexpr std::pair<long long, long long> kWholeIntegerRange{Options::LLONG_MIN_, Options::LLONG_MAX_};
/// Every number (no declared range).
constexpr std::pair<double, double> kWholeNumberRange{-1e300, 1e300};

/// The bounds of a declared "a..b" range, or `whole` when the range says something else.
template <class T>
std::pair<T, T> declaredBounds(const std::string& range, std::pair<T, T> whole) {
    const auto dots = range.find("..");
    if (dots == std::string::npos) return whole;
    std::istringstream lo(range.substr(0, dots)), hi(range.substr(dots + 2));
    T a{}, b{};
    if (!(lo >> a) || !(hi >> b) || !lo.eof() || !hi.eof()) return whole;
    return {a, b};
}

}  // namespace watchdog
