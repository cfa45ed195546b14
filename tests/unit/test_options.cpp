#include "config/ConfigNode.h"
#include "watchdog/Options.h"

#include <doctest/doctest.h>

using namespace watchdog;

TEST_CASE("a duration with the wrong unit names file, line, column and key") {
    auto root = parseYaml("checks:\n  ts_age:\n    max_age: 15 minutes\n", "pipeline.yaml");
    auto block = std::shared_ptr<const ConfigNode>(root, root->find("checks")->find("ts_age"));
    Options o(block, "checks.ts_age", "/etc");
    CHECK_THROWS_WITH(o.duration("max_age"),
                      "pipeline.yaml:3:14: checks.ts_age.max_age: '15 minutes' is not a duration (use 500ms, 30s, 15m, 1h)");
}
