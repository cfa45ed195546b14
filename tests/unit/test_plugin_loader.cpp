#include "plugins/PluginLoader.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <functional>
#include <map>

using namespace watchdog;
using watchdog::test::buildDir;

namespace {

std::string testPluginDir() { return buildDir() + "/tests/plugins"; }

std::string loadError(const std::function<void(PluginLoader&)>& load) {
    PluginLoader loader({testPluginDir()});
    try {
        load(loader);
    } catch (const PluginError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a good check plugin loads by name and runs") {
    PluginLoader loader({testPluginDir()});
    auto check = loader.createCheck("scripted");
    REQUIRE(check != nullptr);
    CHECK(loader.find("scripted") == testPluginDir() + "/scripted.so");
}

TEST_CASE("an unknown plugin names the directories searched and suggests a close name") {
    const std::string e = loadError([](PluginLoader& l) { l.createCheck("scriptd"); });
    CHECK(e.find("scriptd") != std::string::npos);
    CHECK(e.find("not found") != std::string::npos);
    CHECK(e.find(testPluginDir()) != std::string::npos);
    CHECK(e.find("did you mean 'scripted'") != std::string::npos);
}

TEST_CASE("a library built for another ABI is refused with both version numbers") {
    const std::string e = loadError([](PluginLoader& l) { l.createCheck("wrong_abi"); });
    CHECK(e.find("wrong_abi.so") != std::string::npos);
    CHECK(e.find("999") != std::string::npos);
    CHECK(e.find(std::to_string(WATCHDOG_ABI_VERSION)) != std::string::npos);
}

TEST_CASE("a library without a manifest is reported as such") {
    const std::string e = loadError([](PluginLoader& l) { l.createCheck("no_manifest"); });
    CHECK(e.find("no_manifest.so") != std::string::npos);
    CHECK(e.find("manifest") != std::string::npos);
}

TEST_CASE("a sink used where a check is expected is the wrong kind") {
    const std::string e = loadError([](PluginLoader& l) { l.createCheck("sink_only"); });
    CHECK(e.find("sink_only.so") != std::string::npos);
    CHECK(e.find("sink") != std::string::npos);
    CHECK(e.find("check") != std::string::npos);
    PluginLoader loader({testPluginDir()});
    CHECK(loader.createSink("sink_only") != nullptr);
}

TEST_CASE("a shared library that is not a plugin is reported as not a plugin") {
    const std::string e = loadError([](PluginLoader& l) { l.createCheck("not_a_plugin"); });
    CHECK(e.find("not_a_plugin.so") != std::string::npos);
    CHECK(e.find("not an encoder-watchdog plugin") != std::string::npos);
}

TEST_CASE("a library with an unresolved symbol cannot be loaded and the symbol is named") {
    const std::string e = loadError([](PluginLoader& l) { l.createCheck("missing_symbol"); });
    CHECK(e.find("missing_symbol.so") != std::string::npos);
    CHECK(e.find("watchdogFunctionThatDoesNotExist") != std::string::npos);
}

TEST_CASE("list shows every library with its kind, ABI and problem") {
    PluginLoader loader({testPluginDir()});
    std::map<std::string, PluginInfo> byName;
    for (const auto& p : loader.list()) byName[p.name] = p;
    REQUIRE(byName.count("scripted") == 1);
    CHECK(byName["scripted"].kind == "check");
    CHECK(byName["scripted"].abi == WATCHDOG_ABI_VERSION);
    CHECK(byName["scripted"].problem.empty());
    CHECK(byName["recorder"].kind == "action");
    CHECK(byName["sink_only"].kind == "sink");
    CHECK(!byName["wrong_abi"].problem.empty());
    CHECK(!byName["not_a_plugin"].problem.empty());
}

TEST_CASE("a kind function returning NULL is reported with the file, for create and for list") {
    const std::string path = testPluginDir() + "/null_kind.so";
    const std::string expected = path +
                                 ": watchdogPluginKind() returned NULL instead of \"check\", \"action\" or \"sink\""
                                 " (use the WATCHDOG_*_PLUGIN macro)";
    CHECK(loadError([](PluginLoader& l) { l.createCheck("null_kind"); }) == expected);
    PluginLoader loader({testPluginDir()});
    std::map<std::string, PluginInfo> byName;
    for (const auto& p : loader.list()) byName[p.name] = p;
    CHECK(byName["null_kind"].problem == expected);
    CHECK(byName["null_kind"].kind.empty());
}

TEST_CASE("an unknown kind is refused and shown with its control characters escaped") {
    CHECK(loadError([](PluginLoader& l) { l.createAction("garbage_kind"); }) ==
          testPluginDir() +
              "/garbage_kind.so: watchdogPluginKind() returned the unknown kind 'chec\\x1b[2K\\x0ak'"
              " instead of \"check\", \"action\" or \"sink\" (use the WATCHDOG_*_PLUGIN macro)");
}

TEST_CASE("list reports a library without a manifest before anything asks it for a class") {
    PluginLoader loader({testPluginDir()});
    std::map<std::string, PluginInfo> byName;
    for (const auto& p : loader.list()) byName[p.name] = p;
    CHECK(byName["no_manifest"].problem == testPluginDir() +
                                               "/no_manifest.so: has no plugin manifest (missing symbol "
                                               "pocoBuildManifest; use the WATCHDOG_*_PLUGIN macro)");
    CHECK(byName["not_a_plugin"].problem.find("missing symbol watchdogPluginAbiVersion") != std::string::npos);
}

TEST_CASE("a constructor that throws a non-standard exception is an error naming the plugin and its file") {
    const std::string path = testPluginDir() + "/throws_in_constructor.so";
    PluginLoader loader({testPluginDir()});
    CHECK_THROWS_WITH_AS(loader.createCheck("throws_in_constructor"),
                         ("plugin 'throws_in_constructor' (" + path + "): threw a non-standard exception while being created").c_str(),
                         PluginError);
    // The loader stays usable afterwards.
    CHECK(loader.createCheck("scripted") != nullptr);
}

TEST_CASE("describe names a plugin with the file it resolves to, for errors raised after creation") {
    PluginLoader loader({testPluginDir()});
    CHECK(loader.describe("throws_in_configure") == "plugin 'throws_in_configure' (" + testPluginDir() + "/throws_in_configure.so)");
    CHECK(loader.describe("nonexistent") == "plugin 'nonexistent'");
}
