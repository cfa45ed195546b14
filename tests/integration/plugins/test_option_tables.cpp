// Docs and code cannot drift: for every in-tree plugin, the option table its configure() reads through
// (what `encoder-watchdog plugins --options NAME` prints) must be the options table of its README.
#include "TestSupport.h"
#include "plugins/PluginLoader.h"

#include <doctest/doctest.h>

#include <Poco/File.h>
#include <Poco/Path.h>

#include <sstream>

using namespace watchdog::test;

namespace {

/// The README's options table: its header line and every table line after it.
std::string readmeTable(const std::string& readme) {
    std::istringstream in(readFile(readme));
    std::string out;
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (!inside && (line.rfind("| option |", 0) == 0 || line.rfind("| key |", 0) == 0)) inside = true;
        if (inside && line.rfind("|", 0) != 0) break;
        if (inside) out += line + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("every in-tree plugin's declared options are the options table of its README") {
    int compared = 0;
    for (const char* kind : {"plugins", "actions", "sinks"}) {
        std::vector<std::string> names;
        Poco::File(sourceDir() + "/" + kind).list(names);
        for (const auto& name : names) {
            const std::string readme = sourceDir() + "/" + kind + "/" + name + "/README.md";
            if (!Poco::File(pluginDir() + "/" + name + ".so").exists() || !Poco::File(readme).exists()) continue;
            CAPTURE(name);
            const auto table = watchdog::PluginLoader({pluginDir()}).declaredOptions(name);
            REQUIRE(table);
            CHECK(watchdog::renderOptionTable(*table) == readmeTable(readme));
            ++compared;
        }
    }
    CHECK(compared >= 16);
}

TEST_CASE("plugins --options NAME prints the README's table; a plugin without one, or none at all, exits 1") {
    using namespace std::chrono_literals;
    auto [code, out] = runCommand({watchdogBinary(), "plugins", "--options", "hls_count"}, 30s);
    CHECK(code == 0);
    CHECK(out == readmeTable(sourceDir() + "/plugins/hls_count/README.md"));
    // The tests' scripted check declares no table.
    std::tie(code, out) =
        runCommand({watchdogBinary(), "plugins", "--plugin-path", buildDir() + "/tests/plugins", "--options", "scripted"}, 30s);
    CHECK(code == 1);
    CHECK(out.find("plugin 'scripted' (") == 0);
    CHECK(out.find(") declares no options table") != std::string::npos);
    std::tie(code, out) = runCommand({watchdogBinary(), "plugins", "--options", "no_such_plugin"}, 30s);
    CHECK(code == 1);
    CHECK(out.find("plugin 'no_such_plugin' not found") == 0);
}
