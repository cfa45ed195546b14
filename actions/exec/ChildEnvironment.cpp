#include "ChildEnvironment.h"

#include <cstdlib>
#include <map>

namespace watchdog::exec {

std::vector<std::string> childEnvironment(const std::vector<std::string>& passEnv,
                                          const std::vector<std::pair<std::string, std::string>>& addEnv) {
    std::map<std::string, std::string> env;
    std::vector<std::string> order;
    auto pass = [&](const std::string& key) {
        const char* value = std::getenv(key.c_str());
        if (value == nullptr) return;
        if (!env.count(key)) order.push_back(key);
        env[key] = value;
    };
    for (const auto& key : kBaseEnvironment) pass(key);
    for (const auto& key : passEnv) pass(key);
    for (const auto& [k, v] : addEnv) {
        if (!env.count(k)) order.push_back(k);
        env[k] = v;
    }
    std::vector<std::string> out;
    for (const auto& k : order) out.push_back(k + "=" + env[k]);
    return out;
}

}  // namespace watchdog::exec
