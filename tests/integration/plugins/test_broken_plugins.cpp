// Broken plugin metadata (a NULL or unknown kind, no manifest, no ABI function) and plugins that throw
// non-standard exceptions: every verb of the real binary reports them, naming the file, and exits
// with its usual code instead of aborting.
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

std::string testPlugins() { return buildDir() + "/tests/plugins"; }

// The first output line that contains `part`, or "".
std::string lineWith(const std::string& output, const std::string& part) {
    for (const auto& line : nonEmptyLinesOf(output))
        if (line.find(part) != std::string::npos) return line;
    return "";
}

std::pair<int, std::string> run(const std::vector<std::string>& args) {
    std::vector<std::string> argv{watchdogBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--plugin-path");
    argv.push_back(testPlugins());
    return runCommand(argv, 30s);
}

std::string brokenPipeline(const TempDir& dir) {
    return dir.write("pipeline.yaml",
                     "watchdog:\n"                          // 1
                     "  state_file: state.json\n"           // 2
                     "checks:\n"                            // 3
                     "  nulled:\n"                          // 4
                     "    plugin: null_kind\n"              // 5
                     "  garbled:\n"                         // 6
                     "    plugin: garbage_kind\n"           // 7
                     "  constructed:\n"                     // 8
                     "    plugin: throws_in_constructor\n"  // 9
                     "  configured:\n"                      // 10
                     "    plugin: throws_in_configure\n"    // 11
                     "  fine:\n"                            // 12
                     "    plugin: scripted\n"               // 13
                     "    file: fine.txt\n"                 // 14
                     "sinks:\n"                             // 15
                     "  - { plugin: sink_only }\n");        // 16
}

}  // namespace

TEST_CASE("plugins lists every broken library with its file and problem, and the good ones with their kind") {
    auto [code, output] = run({"plugins"});
    CHECK_MESSAGE(code == 1, output);  // some library has a problem
    const std::string dir = testPlugins();
    CHECK(lineWith(output, "null_kind.so")
              .find(dir + "/null_kind.so  (" + dir +
                    "/null_kind.so: watchdogPluginKind() returned NULL instead of \"check\", "
                    "\"action\" or \"sink\" (use the WATCHDOG_*_PLUGIN macro))") != std::string::npos);
    CHECK(lineWith(output, "garbage_kind.so").find("returned the unknown kind 'chec\\x1b[2K\\x0ak'") != std::string::npos);
    CHECK(lineWith(output, "no_manifest.so").find("has no plugin manifest") != std::string::npos);
    CHECK(lineWith(output, "not_a_plugin.so").find("missing symbol watchdogPluginAbiVersion") != std::string::npos);
    CHECK(lineWith(output, "scripted.so").rfind("scripted ", 0) == 0);
    CHECK(lineWith(output, "scripted.so").find(" check ") != std::string::npos);
    CHECK(lineWith(output, "throws_in_constructor.so").find("(") == std::string::npos);  // its metadata is fine
}

TEST_CASE("validate and check report each broken plugin on its line, naming the file, and exit 2 and 3") {
    TempDir dir;
    const std::string pipeline = brokenPipeline(dir);
    const std::string plugins = testPlugins();
    for (const std::string verb : {"validate", "check"}) {
        CAPTURE(verb);
        auto [code, output] = run({verb, pipeline});
        CHECK_MESSAGE(code == (verb == "validate" ? 2 : 3), output);
        CHECK(lineWith(output, "checks.nulled") == pipeline + ":5:13: checks.nulled.plugin: " + plugins +
                                                       "/null_kind.so: watchdogPluginKind() returned NULL "
                                                       "instead of \"check\", \"action\" or \"sink\" (use the WATCHDOG_*_PLUGIN macro)");
        CHECK(lineWith(output, "checks.garbled")
                  .rfind(pipeline + ":7:13: checks.garbled.plugin: " + plugins +
                             "/garbage_kind.so: watchdogPluginKind() returned the unknown kind",
                         0) == 0);
        CHECK(lineWith(output, "checks.constructed") ==
              pipeline + ":9:13: checks.constructed.plugin: plugin 'throws_in_constructor' (" + plugins +
                  "/throws_in_constructor.so): threw a non-standard exception while being created");
        CHECK(lineWith(output, "checks.configured") ==
              pipeline + ":11:13: checks.configured: plugin 'throws_in_configure' (" + plugins +
                  "/throws_in_configure.so): threw a non-standard exception while reading its options");
        CHECK(lineWith(output, "checks.fine").empty());
        CHECK(lineWith(output, "sink_only").empty());
    }
}
