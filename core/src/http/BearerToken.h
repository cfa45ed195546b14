#pragma once

#include <string>

namespace watchdog {

/// True if `authorization` is "Bearer <expected>"; compares in time that does not depend on where
/// the strings differ, so a client cannot learn the token byte by byte.
bool bearerTokenMatches(const std::string& expected, const std::string& authorization);

}  // namespace watchdog
