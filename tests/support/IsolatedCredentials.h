#pragma once

// AWS credential sources cut off from the machine, for tests of the credential chain (plugins/common).

#include "AwsCredentials.h"
#include "FakeEnvironment.h"

namespace watchdog::test {

/// Sources that read only `env` as the environment and skip the instance role (a test turns it on).
inline aws::CredentialSources isolatedCredentials(std::map<std::string, std::string> env = {}) {
    aws::CredentialSources s;
    s.environment = fakeEnvironment(std::move(env));
    s.instanceRole = false;
    return s;
}

}  // namespace watchdog::test
