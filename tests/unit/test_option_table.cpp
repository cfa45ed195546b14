// DeclaredOptions: configure() reads through the plugin's option table, so code and table cannot drift.
#include <watchdog/OptionTable.h>
#include <watchdog/testing/PluginTestKit.h>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace watchdog;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

const OptionTable kTable{
    {"directory", "path", "", "required", "", "/var/www/hls", "the HLS folder"},
    {"max_age", "duration", "15m", "", "> 0", "900s", "older files fail"},
    {"max_files", "integer", "20", "", "0..1000", "20", "more files fail"},
    {"exclude", "list of names", "[index.html, live.m3u8]", "", "", "[a.ts]", "names ignored"},
    {"verbose", "boolean", "false", "", "", "true", "say more"},
    {"mode", "`sum` or `oldest`", "sum", "", "", "`oldest`", "how several add up"},
};

}  // namespace

TEST_CASE("an absent option takes the declared default; a present one is read and validated as usual") {
    const Options block = optionsFromYaml("directory: hls\nmax_files: 7\n", "checks.ts", "/srv");
    const DeclaredOptions options(block, kTable);
    CHECK(options.path("directory") == "/srv/hls");
    CHECK(options.duration("max_age") == 15min);
    CHECK(options.integer("max_files") == 7);
    CHECK(options.stringList("exclude") == std::vector<std::string>{"index.html", "live.m3u8"});
    CHECK_FALSE(options.boolean("verbose"));
    CHECK(options.choice("mode", {"sum", "oldest"}) == "sum");
    block.rejectUnknownKeys();
}

TEST_CASE("a declared a..b range bounds integer(); a required option without a value is a config error") {
    const Options tooMany = optionsFromYaml("directory: hls\nmax_files: 5000\n", "checks.ts");
    CHECK_THROWS_WITH_AS(DeclaredOptions(tooMany, kTable).integer("max_files"),
                         "pipeline.yaml:2:12: checks.ts.max_files: must be between 0 and 1000 (got '5000')", ConfigError);
    const Options none = optionsFromYaml("max_age: 1m\n", "checks.ts");
    CHECK_THROWS_WITH_AS(DeclaredOptions(none, kTable).path("directory"),
                         "pipeline.yaml:1:1: checks.ts.directory: required option is missing", ConfigError);
}

TEST_CASE("reading an undeclared option or passing another default than the declared one is a plugin bug") {
    const Options block = optionsFromYaml("directory: hls\n", "checks.ts");
    const DeclaredOptions options(block, kTable);
    CHECK_THROWS_WITH_AS(options.string("pattern", "*.ts"), "checks.ts: the plugin reads option 'pattern' but does not declare it",
                         std::logic_error);
    CHECK_THROWS_WITH_AS(options.duration("max_age", 10min), "checks.ts.max_age: the declared default '15m' differs from the plugin's own",
                         std::logic_error);
    CHECK(options.duration("max_age", 15min) == 15min);
}

TEST_CASE("the rendered table is the README's: code spans for names, defaults and examples") {
    CHECK(renderOptionRow(kTable[0]) == "| `directory` | path | required | `/var/www/hls` | the HLS folder |");
    CHECK(renderOptionRow(kTable[1]) == "| `max_age` | duration > 0 | `15m` | `900s` | older files fail |");
    CHECK(renderOptionRow(kTable[5]) == "| `mode` | `sum` or `oldest` | `sum` | `oldest` | how several add up |");
    CHECK(renderOptionTable({kTable[0]}) ==
          "| option | type | default | example | meaning |\n|---|---|---|---|---|\n"
          "| `directory` | path | required | `/var/www/hls` | the HLS folder |\n");
}
