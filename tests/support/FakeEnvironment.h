#pragma once

// An environment the test writes, for code that reads variables through a lookup function.

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace watchdog::test {

/// A lookup that finds only `vars`, never the process's own environment.
inline std::function<std::optional<std::string>(const std::string&)> fakeEnvironment(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace watchdog::test
