#include <watchdog/Result.h>

namespace watchdog {

const char* toString(Status status) {
    switch (status) {
        case Status::Pass:
            return "pass";
        case Status::Fail:
            return "fail";
        case Status::Error:
            return "error";
    }
    return "error";
}

Result Result::pass(std::string summary) { return Result{Status::Pass, std::move(summary), std::nullopt, {}, {}, {}}; }
Result Result::fail(std::string summary) { return Result{Status::Fail, std::move(summary), std::nullopt, {}, {}, {}}; }
Result Result::error(std::string summary) { return Result{Status::Error, std::move(summary), std::nullopt, {}, {}, {}}; }

Result& Result::withValue(double v, std::string u) {
    value = v;
    unit = std::move(u);
    return *this;
}

Result& Result::detail(std::string key, std::string v) {
    details.emplace_back(std::move(key), std::move(v));
    return *this;
}

Result& Result::metric(std::string name, double v, Details labels) {
    metrics.push_back(Metric{std::move(name), v, std::move(labels)});
    return *this;
}

}  // namespace watchdog
