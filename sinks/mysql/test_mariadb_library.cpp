#include "MariaDbLibrary.h"
#include "MysqlConnection.h"

#include <doctest/doctest.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

using namespace watchdog::mysql;

TEST_CASE("mariadb library: a missing client library is a one-line error naming it") {
    try {
        loadMariaDb("libdoes-not-exist.so.9");
        FAIL("loading a missing library did not throw");
    } catch (const MysqlError& e) {
        const std::string message = e.what();
        CHECK(e.code() == 0);
        CHECK(message.rfind("cannot load the MariaDB client library libdoes-not-exist.so.9: ", 0) == 0);
        CHECK(message.find("No such file") != std::string::npos);
        CHECK(message.find('\n') == std::string::npos);
    }
}

TEST_CASE("mariadb library: a library without the client functions is refused") {
    CHECK_THROWS_WITH_AS(loadMariaDb("libz.so.1"), doctest::Contains("cannot load the MariaDB client library libz.so.1: "), MysqlError);
}

TEST_CASE("mariadb library: the installed client library provides every function") {
    REQUIRE_NOTHROW(mariaDb());
    MYSQL* handle = mariaDb().init(nullptr);
    CHECK(handle != nullptr);
    mariaDb().close(handle);
}

TEST_CASE("mariadb library: a client library missing at first is found once installed, without a restart") {
    char dir[] = "/tmp/mariadb-loader-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string path = std::string(dir) + "/libmariadb.so.3";
    MariaDbLoader loader(path);
    CHECK_THROWS_WITH_AS(loader.api(), doctest::Contains(("cannot load the MariaDB client library " + path).c_str()), MysqlError);
    CHECK_THROWS_AS(loader.api(), MysqlError);  // still missing: tried again, refused again

    Dl_info installed{};
    REQUIRE(::dladdr(reinterpret_cast<void*>(mariaDb().init), &installed) != 0);
    REQUIRE(::symlink(installed.dli_fname, path.c_str()) == 0);
    REQUIRE_NOTHROW(loader.api());
    MYSQL* handle = loader.api().init(nullptr);
    CHECK(handle != nullptr);
    loader.api().close(handle);
    ::unlink(path.c_str());
    ::rmdir(dir);
}
