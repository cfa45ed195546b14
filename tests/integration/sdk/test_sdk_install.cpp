// Installs the SDK with `cmake --install`, builds examples/custom_check out of tree against it with
// find_package(EncoderWatchdog), runs its own tests (written with the installed plugin test kit), and
// runs the installed binary with the new plugin (in the daemon and, as recommended for out-of-tree
// plugins, in a check process: `isolate: process`).
#include "TestSupport.h"

#include <doctest/doctest.h>

#include <filesystem>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

// `cmake --install` of the build tree into `prefix`: exit code and output.
std::pair<int, std::string> installInto(const TempDir& prefix) {
    return runCommand({"cmake", "--install", buildDir(), "--prefix", prefix.path()}, 120s);
}

}  // namespace

TEST_CASE("a check plugin builds out of tree against the installed SDK and the installed daemon runs it") {
    TempDir prefix, build;
    auto [code, out] = installInto(prefix);
    INFO(out);
    REQUIRE(code == 0);
    CHECK(!readFile(prefix.file("include/watchdog/Check.h")).empty());
    CHECK(!readFile(prefix.file("lib/cmake/EncoderWatchdog/EncoderWatchdogConfig.cmake")).empty());
    CHECK(!readFile(prefix.file("include/watchdog/testing/PluginTestKit.h")).empty());
    CHECK(!readFile(prefix.file("lib/libwatchdog_plugin_testkit.a")).empty());

    std::tie(code, out) = runCommand(
        {"cmake", "-S", sourceDir() + "/examples/custom_check", "-B", build.path(), "-DCMAKE_PREFIX_PATH=" + prefix.path()}, 120s);
    INFO(out);
    REQUIRE(code == 0);
    std::tie(code, out) = runCommand({"cmake", "--build", build.path()}, 240s);
    INFO(out);
    REQUIRE(code == 0);
    std::tie(code, out) = runCommand({"ctest", "--test-dir", build.path(), "--output-on-failure"}, 120s);
    INFO(out);
    CHECK(code == 0);
    CHECK(out.find("test_disk_free") != std::string::npos);
    CHECK(out.find("100% tests passed") != std::string::npos);

    const std::string binary = prefix.file("bin/encoder-watchdog");
    std::tie(code, out) = runCommand({binary, "plugins", "--plugin-path", build.file("plugins")}, 30s);
    INFO(out);
    CHECK(out.find("disk_free") != std::string::npos);
    CHECK(out.find("check") != std::string::npos);
    std::tie(code, out) = runCommand({binary, "plugins", "--plugin-path", build.file("plugins"), "--options", "disk_free"}, 30s);
    INFO(out);
    CHECK(code == 0);
    CHECK(out.find("| `min_free` | size | `1G` | `2G` |") != std::string::npos);

    TempDir station;
    const std::string pipeline =
        station.write("pipeline.yaml",
                      "checks:\n  hls_disk: { plugin: disk_free, label: HLS Disk, path: ., min_free: 1K, isolate: process }\n"
                      "  impossible: { plugin: disk_free, path: ., min_free: 100000000G }\n");
    std::tie(code, out) = runCommand({binary, "check", pipeline, "--plugin-path", build.file("plugins")}, 30s);
    INFO(out);
    CHECK(code == 2);
    CHECK(out.find("hls_disk") != std::string::npos);
    CHECK(out.find("free on " + station.path()) != std::string::npos);
    CHECK(out.find("below") != std::string::npos);
}

TEST_CASE("the installed daemon loads its TLS module for an https check only, and names it when it is missing") {
    TempDir prefix, station;
    auto [code, out] = installInto(prefix);
    INFO(out);
    REQUIRE(code == 0);
    REQUIRE(!readFile(prefix.file("lib/libencoder-watchdog-tls.so.0")).empty());
    const std::string binary = prefix.file("bin/encoder-watchdog");
    const std::string url = "https://127.0.0.1:" + std::to_string(freeLoopbackPort());
    const std::string pipeline =
        station.write("pipeline.yaml", "checks:\n  icecast: { plugin: icecast, url: \"" + url + "\", password: x }\n");

    // Found beside the installed core library: the check gets as far as the (refused) connection.
    std::tie(code, out) = runCommand({binary, "check", pipeline}, 30s);
    INFO(out);
    CHECK(out.find("refused") != std::string::npos);
    CHECK(out.find("TLS module") == std::string::npos);

    // Gone: one line naming the file, the line and the option, and what is missing.
    for (const auto& entry : std::filesystem::directory_iterator(prefix.file("lib")))
        if (entry.path().filename().string().rfind("libencoder-watchdog-tls.so", 0) == 0) std::filesystem::remove(entry.path());
    std::tie(code, out) = runCommand({binary, "validate", pipeline}, 30s);
    INFO(out);
    CHECK(code != 0);
    CHECK(out.find("pipeline.yaml:2:") != std::string::npos);
    CHECK(out.find("checks.icecast.url: cannot set up TLS: Cannot load library: cannot load the TLS module libencoder-watchdog-tls.so.0") !=
          std::string::npos);
}
