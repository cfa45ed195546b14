#include "MariaDbLibrary.h"
#include "MysqlConnection.h"

#include <doctest/doctest.h>

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
