// disk_free's tests, written with the plugin test kit installed with the SDK.
#include "DiskFreeCheck.h"

#include <watchdog/testing/PluginTestKit.h>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <sstream>

using namespace watchdog::testing;

namespace {
const watchdog::CheckContext kContext{"hls_disk", "HLS Disk", std::chrono::seconds(60), std::chrono::seconds(5), nullptr};
}  // namespace

TEST_CASE("a disk with room passes; asking for more than any disk holds fails naming both sizes") {
    const watchdog::Result roomy = configure<DiskFreeCheck>("path: /\nmin_free: 1K\n", "checks.hls_disk")->run(kContext);
    CHECK(statusOf(roomy) == "pass");
    CHECK(roomy.summary.find(" free on /") != std::string::npos);
    CHECK(roomy.unit == "bytes");
    const watchdog::Result full = configure<DiskFreeCheck>("path: /\nmin_free: 100000000G\n", "checks.hls_disk")->run(kContext);
    CHECK(statusOf(full) == "fail");
    CHECK(full.summary.find(", below ") != std::string::npos);
}

TEST_CASE("a path that cannot be read is an error, not a failure; relative paths follow the pipeline file") {
    const auto check = configure<DiskFreeCheck>("path: no/such/folder\n", "checks.hls_disk", "/srv/station");
    const watchdog::Result r = check->run(kContext);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "cannot read /srv/station/no/such/folder: No such file or directory");
}

TEST_CASE("the declared options are the table in README.md, so the docs cannot drift from the code") {
    std::ifstream readme(DISK_FREE_README);
    std::stringstream text;
    text << readme.rdbuf();
    CHECK(text.str().find(watchdog::renderOptionTable(DiskFreeCheck::declaredOptions())) != std::string::npos);
}

TEST_CASE("options: path is required, min_free is a size, a misspelt key is refused with a suggestion") {
    CHECK(configError<DiskFreeCheck>("min_free: 1G\n", "checks.hls_disk") ==
          "pipeline.yaml:1:1: checks.hls_disk.path: required option is missing");
    CHECK(configError<DiskFreeCheck>("path: /\nmin_free: lots\n", "checks.hls_disk") ==
          "pipeline.yaml:2:11: checks.hls_disk.min_free: 'lots' is not a size (use 512K, 10M, 1G)");
    CHECK(configError<DiskFreeCheck>("path: /\nmin_fre: 1G\n", "checks.hls_disk") ==
          "pipeline.yaml:2:1: checks.hls_disk: unknown option 'min_fre' (did you mean 'min_free'?)");
}
