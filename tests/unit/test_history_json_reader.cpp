#include "history/JsonReader.h"
#include "history/RecordJson.h"

#include "SampleRecords.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::test;

TEST_CASE("json reader: values, nesting and member order") {
    const JsonValue v = parseJson(R"( {"b": [1, -2.5e3, true, false, null], "a": {"x": "y"}, "n": 18446744073709551615} )");
    REQUIRE(v.type == JsonValue::Type::Object);
    REQUIRE(v.members.size() == 3);
    CHECK(v.members[0].first == "b");  // document order, not sorted
    const JsonValue* b = v.find("b");
    REQUIRE(b);
    REQUIRE(b->items.size() == 5);
    CHECK(b->items[1].text == "-2.5e3");
    CHECK(b->items[2].boolean);
    CHECK(b->items[4].type == JsonValue::Type::Null);
    CHECK(v.find("a")->find("x")->text == "y");
    CHECK(v.find("n")->text == "18446744073709551615");  // kept as text: no precision lost
    CHECK(v.find("missing") == nullptr);
}

TEST_CASE("json reader: escapes, including \\u and surrogate pairs, become UTF-8") {
    const JsonValue v = parseJson(R"("tab\t quote\" slash\/ back\\ caf\u00e9 \u20ac \ud83c\udfb5")");
    CHECK(v.text == "tab\t quote\" slash/ back\\ caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb5");
}

TEST_CASE("json reader: malformed input is an error with the byte position") {
    CHECK_THROWS_WITH_AS(parseJson(R"({"a": 1)"), "bad JSON: expected ',' or '}' at byte 7", std::runtime_error);
    CHECK_THROWS_WITH_AS(parseJson(R"({"a": 1} x)"), "bad JSON: unexpected text after the value at byte 9", std::runtime_error);
    CHECK_THROWS_WITH_AS(parseJson(R"(["unterminated)"), doctest::Contains("unterminated string"), std::runtime_error);
    CHECK_THROWS_WITH_AS(parseJson(R"([tru])"), doctest::Contains("unknown literal"), std::runtime_error);
    CHECK_THROWS_WITH_AS(parseJson(R"("bad \x escape")"), doctest::Contains("bad escape"), std::runtime_error);
    CHECK_THROWS_WITH_AS(parseJson("\"raw\nnewline\""), doctest::Contains("control character"), std::runtime_error);
    CHECK_THROWS_WITH_AS(parseJson(std::string(100, '[')), "bad JSON: nested deeper than 64 levels at byte 64", std::runtime_error);
    CHECK_THROWS_WITH_AS(parseJson("-"), doctest::Contains("malformed number"), std::runtime_error);
    CHECK_THROWS_AS(parseJson(""), std::runtime_error);
}

TEST_CASE("json reader: 200k levels of nesting are refused with the reason, 64 levels read") {
    std::string deep;
    for (int i = 0; i < 200000; ++i) deep += "{\"a\":[";
    deep += "1";
    for (int i = 0; i < 200000; ++i) deep += "]}";
    CHECK_THROWS_WITH_AS(parseJson(deep), "bad JSON: nested deeper than 64 levels at byte 192", std::runtime_error);
    CHECK_THROWS_WITH_AS(recordFromJsonLine(deep), "record: bad JSON: nested deeper than 64 levels at byte 192", std::runtime_error);
    const JsonValue v = parseJson(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']'));
    CHECK(v.type == JsonValue::Type::Array);
}

TEST_CASE("record lines: a line with fields in another order or escaped unicode still reads") {
    const Record r = recordFromJsonLine(R"({"seq":9,"kind":"result","status":"fail","time":"2026-11-24T03:00:09.000Z","check":"icecast",)"
                                        R"("summary":"Caf\u00e9 FM: no source","value":null,"details":{"listeners":12}})");
    CHECK(r.sequence == 9);
    CHECK(r.checkId == "icecast");
    CHECK(r.result.summary == "Caf\xc3\xa9 FM: no source");
    CHECK_FALSE(r.result.value.has_value());
    CHECK(r.result.details == Details{{"listeners", "12"}});
    CHECK_THROWS_WITH_AS(recordFromJsonLine(R"({"kind":"result","seq":-1,"time":"2026-11-24T03:00:09Z","status":"pass"})"),
                         doctest::Contains("record field 'seq'"), std::runtime_error);
    CHECK_THROWS_WITH_AS(recordFromJsonLine(R"({"kind":"result","seq":"7","time":"2026-11-24T03:00:09Z","status":"pass"})"),
                         doctest::Contains("record field 'seq': expected a number"), std::runtime_error);
}
