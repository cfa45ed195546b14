#pragma once

#include "Commands.h"

#include <Poco/Util/ServerApplication.h>

namespace watchdog {

/// The encoder-watchdog command line: verbs run, check, validate, plugins, history, migrate-env;
/// --daemon and --pidfile come from Poco's ServerApplication.
class WatchdogApplication : public Poco::Util::ServerApplication {
public:
    /// `cwd` is the working directory at start: --daemon changes to /, relative paths resolve here.
    explicit WatchdogApplication(std::string cwd);

protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const ArgVec& args) override;

private:
    void printHelp() const;

    std::string cwd_;
    CommandLine command_;
    bool helpRequested_ = false;
    bool versionRequested_ = false;
};

}  // namespace watchdog
