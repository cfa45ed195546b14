#pragma once

#include <Poco/Util/ServerApplication.h>

namespace watchdog {

/// The encoder-watchdog command line: verbs run, check, validate, plugins, history, migrate-env.
class WatchdogApplication : public Poco::Util::ServerApplication {
protected:
    int main(const ArgVec& args) override;
};

}  // namespace watchdog
