#include "PipelineErrors.h"
#include "config/ConfigNode.h"
#include <watchdog/Options.h>

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::test;

TEST_CASE("a duration with the wrong unit names file, line, column and key") {
    auto root = parseYaml("checks:\n  ts_age:\n    max_age: 15 minutes\n", "pipeline.yaml");
    auto block = std::shared_ptr<const ConfigNode>(root, root->find("checks")->find("ts_age"));
    Options o(block, "checks.ts_age", "/etc");
    CHECK_THROWS_WITH(o.duration("max_age"),
                      "pipeline.yaml:3:14: checks.ts_age.max_age: '15 minutes' is not a duration (use 500ms, 30s, 15m, 1h)");
}

namespace {

std::vector<std::string> texts(const std::vector<ConfigError>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors) out.push_back(e.what());
    return out;
}
}  // namespace

TEST_CASE("a block that collects problems records each bad option, returns its fallback and lists every unknown key") {
    auto root = parseYaml("a:\n  max_age: 15 minutes\n  count: many\n  nested: { x: 1, y: 2 }\n  typo1: 1\n  typo2: 2\n", "p.yaml");
    Options o(std::shared_ptr<const ConfigNode>(root, root->find("a")), "checks.a", "/etc");
    o.collectProblems();
    CHECK(o.duration("max_age", std::chrono::seconds(9)) == std::chrono::seconds(9));
    CHECK(o.integer("count", 20, 0, 100) == 20);
    CHECK(o.string("required_one").empty());
    CHECK(o.child("nested").integer("x", 0, 0, 10) == 1);
    o.report("count", "also too small");
    CHECK(joinedLines(texts(o.recordedProblems())) ==
          joinedLines({
              "p.yaml:2:12: checks.a.max_age: '15 minutes' is not a duration (use 500ms, 30s, 15m, 1h)",
              "p.yaml:3:10: checks.a.count: 'many' is not a whole number",
              "p.yaml:1:1: checks.a.required_one: required option is missing",
              "p.yaml:3:10: checks.a.count: also too small",
          }));
    CHECK(joinedLines(texts(o.unknownKeys())) == joinedLines({
                                                     "p.yaml:5:3: checks.a: unknown option 'typo1'",
                                                     "p.yaml:6:3: checks.a: unknown option 'typo2'",
                                                     "p.yaml:4:19: checks.a.nested: unknown option 'y' (did you mean 'x'?)",
                                                 }));
    const SourceMark stop{"p.yaml", 6, 1};
    CHECK(texts(o.unknownKeys(&stop)).size() == 2);  // typo2 sits after the stop: configure never reached it
}

TEST_CASE("without collecting, report() throws like fail()") {
    auto root = parseYaml("a:\n  count: 3\n", "p.yaml");
    Options o(std::shared_ptr<const ConfigNode>(root, root->find("a")), "checks.a", "/etc");
    CHECK_THROWS_WITH_AS(o.report("count", "too small"), "p.yaml:2:10: checks.a.count: too small", ConfigError);
}
