// One atomic file write for the daemon's state file, its outbox and the plugins' own files
// (watchdog/AtomicFile.h, issue 18): the old file or the new one, never a torn one or a stray .tmp.
#include "TestSupport.h"

#include <watchdog/AtomicFile.h>
#include <watchdog/testing/PluginTestKit.h>

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>

using namespace watchdog;
using namespace watchdog::test;

namespace {

// What writeFileAtomically() threw, or "" when it did not.
std::string errorWriting(const std::string& path, const std::string& text) {
    try {
        writeFileAtomically(path, text);
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("the new content replaces the old, and no temporary file is left beside it") {
    TempDir dir;
    const std::string path = dir.write("cards.json", "old\n");
    writeFileAtomically(path, "new\n");
    CHECK(readFile(path) == "new\n");
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    writeFileAtomically(dir.file("fresh.json"), "");
    CHECK(std::filesystem::exists(dir.file("fresh.json")));
}

TEST_CASE("in a folder it may not write, the old file stays as it was and the error names the file and the reason") {
    TempDir dir;
    const std::string path = dir.write("locked/state.json", "old\n");
    REQUIRE(::chmod(dir.file("locked").c_str(), 0555) == 0);
    const std::string error = testing::asUnprivileged([&] { return errorWriting(path, "new\n"); });
    CHECK(error == "cannot write " + path + ".tmp: Permission denied");
    CHECK(readFile(path) == "old\n");
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_CASE("when the rename fails (a folder is in the way) the error names the file and no temporary file is left") {
    TempDir dir;
    dir.write("state.json/inside", "");
    const std::string path = dir.file("state.json");
    CHECK(errorWriting(path, "new\n") == "cannot replace " + path + ": Is a directory");
    CHECK(readFile(dir.file("state.json/inside")).empty());
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
}
