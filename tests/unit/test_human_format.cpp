#include <watchdog/HumanFormat.h>

#include <doctest/doctest.h>

#include <limits>

using namespace watchdog;
using std::chrono::milliseconds;

TEST_CASE("a duration under a second is shown in milliseconds") {
    CHECK(human::duration(milliseconds(0)) == "0 ms");
    CHECK(human::duration(milliseconds(450)) == "450 ms");
    CHECK(human::duration(milliseconds(999)) == "999 ms");
}

TEST_CASE("a duration under a minute has one decimal, none when it is a whole number of seconds") {
    CHECK(human::duration(milliseconds(9442)) == "9.4 s");
    CHECK(human::duration(milliseconds(1000)) == "1 s");
    CHECK(human::duration(milliseconds(10000)) == "10 s");
    CHECK(human::duration(milliseconds(10040)) == "10.0 s");
    CHECK(human::duration(milliseconds(1050)) == "1.1 s");
    CHECK(human::duration(milliseconds(59940)) == "59.9 s");
}

TEST_CASE("longer durations use two units, the smaller one rounded") {
    CHECK(human::duration(milliseconds(59960)) == "1 min");
    CHECK(human::duration(milliseconds(130000)) == "2 min 10 s");
    CHECK(human::duration(milliseconds(130400)) == "2 min 10 s");
    CHECK(human::duration(milliseconds(300000)) == "5 min");
    CHECK(human::duration(milliseconds(3599600)) == "1 h");
    CHECK(human::duration(milliseconds((3 * 60 + 5) * 60000LL)) == "3 h 5 min");
    CHECK(human::duration(milliseconds((3 * 60 + 5) * 60000LL + 20000)) == "3 h 5 min");
    CHECK(human::duration(milliseconds(3600000)) == "1 h");
    CHECK(human::duration(milliseconds((2 * 24 + 4) * 3600000LL)) == "2 d 4 h");
    CHECK(human::duration(milliseconds(86400000)) == "1 d");
    CHECK(human::duration(milliseconds(400LL * 86400000)) == "400 d");
}

TEST_CASE("a negative duration keeps its sign") { CHECK(human::duration(milliseconds(-9442)) == "-9.4 s"); }

TEST_CASE("a number has three significant digits, no exponent and no trailing zeros") {
    CHECK(human::number(2.22059) == "2.22");
    CHECK(human::number(42.567) == "42.6");
    CHECK(human::number(42) == "42");
    CHECK(human::number(42.0001) == "42");
    CHECK(human::number(2.5) == "2.5");
    CHECK(human::number(12345.678) == "12346");
    CHECK(human::number(0.0012345) == "0.00123");
    CHECK(human::number(0.5) == "0.5");
    CHECK(human::number(0) == "0");
    CHECK(human::number(-0.0) == "0");
    CHECK(human::number(-3.14159) == "-3.14");
    CHECK(human::number(1e20) == "100000000000000000000");
    CHECK(human::number(1e-9) == "0");
    CHECK(human::number(std::numeric_limits<double>::quiet_NaN()) == "n/a");
}

TEST_CASE("a percentage has one decimal unless it is whole") {
    CHECK(human::percent(2.22059) == "2.2 %");
    CHECK(human::percent(98.333) == "98.3 %");
    CHECK(human::percent(100) == "100 %");
    CHECK(human::percent(0) == "0 %");
    CHECK(human::percent(0.04) == "0.0 %");
    CHECK(human::percent(-0.04) == "0.0 %");
}

TEST_CASE("a quantity reads its unit: percent, durations, counted nouns, symbols") {
    CHECK(human::quantity(2.22059, "%") == "2.2 %");
    CHECK(human::quantity(9.442, "s") == "9.4 s");
    CHECK(human::quantity(130, "s") == "2 min 10 s");
    CHECK(human::quantity(9442, "ms") == "9.4 s");
    CHECK(human::quantity(1, "sources") == "1 source");
    CHECK(human::quantity(0, "sources") == "0 sources");
    CHECK(human::quantity(3, "files") == "3 files");
    CHECK(human::quantity(1, "processes") == "1 process");
    CHECK(human::quantity(1, "entries") == "1 entry");
    CHECK(human::quantity(1, "LUFS") == "1 LUFS");
    CHECK(human::quantity(1, "kbps") == "1 kbps");
    CHECK(human::quantity(1, "bytes/s") == "1 bytes/s");
    CHECK(human::quantity(-23.456, "LUFS") == "-23.5 LUFS");
    CHECK(human::quantity(1234567, "bytes") == "1234567 bytes");
    CHECK(human::quantity(7.25, "") == "7.25");
}

TEST_CASE("count says one thing and many things") {
    CHECK(human::count(1, "source") == "1 source");
    CHECK(human::count(0, "source") == "0 sources");
    CHECK(human::count(3, "source") == "3 sources");
    CHECK(human::count(2, "process") == "2 processes");
    CHECK(human::count(2, "match") == "2 matches");
    CHECK(human::count(2, "entry") == "2 entries");
    CHECK(human::count(2, "day") == "2 days");
    CHECK(human::count(1, "child", "children") == "1 child");
    CHECK(human::count(2, "child", "children") == "2 children");
}
