#include "MysqlText.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::mysql;

TEST_CASE("mysql text: invalid UTF-8 becomes U+FFFD, valid text is untouched") {
    CHECK(validUtf8("Café del Mar 🎶") == "Café del Mar 🎶");
    CHECK(validUtf8("a\xff"
                    "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(validUtf8("\xC3") == "\xEF\xBF\xBD");                                  // truncated 2-byte character
    CHECK(validUtf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
    CHECK(validUtf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a UTF-16 surrogate
    CHECK(validUtf8("\xF4\x90\x80\x80").find("\xF4") == std::string::npos);      // past U+10FFFF
}

TEST_CASE("mysql text: cut to characters or bytes without splitting a character") {
    CHECK(fitted("Icecast Sources 📻", 16) == "Icecast Sources ");
    CHECK(fitted("Icecast Sources 📻", 17) == "Icecast Sources 📻");
    CHECK(fitted("ééé", 2) == "éé");
    CHECK(clipped("ééé", 5) == "éé");
    CHECK(clipped("ééé", 6) == "ééé");
    CHECK(clipped("a📻", 4) == "a");
}

TEST_CASE("mysql text: characters an old table's character set cannot hold are replaced") {
    CHECK(forCharset("Café 📻", "utf8mb4") == "Café 📻");
    CHECK(forCharset("Café 📻", "latin1") == "Café ?");
    CHECK(forCharset("Café 📻 €", "utf8mb3") == "Café \xEF\xBF\xBD €");
    CHECK(forCharset("Café", "ascii") == "Caf?");
    CHECK(forCharset("bad \xff", "latin1") == "bad ?");
}
