#include "AwsRegionFinder.h"

#include "AwsRegion.h"

namespace watchdog {

RegionFinder awsRegionFinder() {
    return [](const VariableLookup& lookup) {
        common::RegionSources sources;
        sources.environment = lookup;
        common::RegionResult found = common::resolveRegion(sources);
        return RegionFinding{std::move(found.region), std::move(found.source), std::move(found.tried)};
    };
}

}  // namespace watchdog
