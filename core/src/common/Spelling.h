#pragma once

#include <string>
#include <vector>

namespace watchdog {

/// The candidate closest to `word` by edit distance, if close enough to be a likely typo; else "".
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" or "" when nothing is close.
std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace watchdog
