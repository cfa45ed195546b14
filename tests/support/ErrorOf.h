#pragma once

// What a call that should fail says.

#include <exception>
#include <functional>
#include <string>

namespace watchdog::test {

/// The what() of the exception `f` throws, or "(no error)" when it returns.
inline std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace watchdog::test
