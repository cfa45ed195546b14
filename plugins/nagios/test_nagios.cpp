// Unit tests: perfdata and output parsing with the plugin guidelines' examples, exit codes to
// results, bounded details, option validation and the plugin's environment.
#include "NagiosCheck.h"

#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include <watchdog/ConfigError.h>

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <sys/stat.h>

using namespace watchdog;
using namespace watchdog::nagios;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<NagiosCheck> makeCheck(const std::string& yaml, const std::string& base = "/srv/station") {
    return configure<NagiosCheck>(yaml, "checks.nagios", base);
}

std::string configError(const std::string& yaml) {
    return watchdog::testing::configError<NagiosCheck>(yaml, "checks.nagios", "/srv/station");
}

NagiosSettings tcpSettings(bool warningPasses = false) {
    NagiosSettings s;
    s.program = "/usr/lib/nagios/plugins/check_tcp";
    s.argv = {"check_tcp", "-H", "127.0.0.1"};
    s.name = "check_tcp";
    s.warningPasses = warningPasses;
    return s;
}

PluginRun exited(int code, std::string out, std::string err = {}) {
    PluginRun r;
    r.started = true;
    r.exitCode = code;
    r.out = std::move(out);
    r.err = std::move(err);
    return r;
}

std::string detailOf(const Result& r, const std::string& key) {
    for (const auto& [k, v] : r.details)
        if (k == key) return v;
    return "(absent)";
}

}  // namespace

TEST_CASE("perfdata: the guidelines' format, every optional part, quoted labels, U, and what is not perfdata") {
    auto m = parsePerfdata("/=2643MB;5948;5958;0;5968");
    REQUIRE(m.size() == 1);
    CHECK(m[0].label == "/");
    CHECK(m[0].value == 2643);
    CHECK(m[0].uom == "MB");
    CHECK(m[0].warn == "5948");
    CHECK(m[0].crit == "5958");
    CHECK(m[0].min == "0");
    CHECK(m[0].max == "5968");
    CHECK(m[0].describe() == "2643MB (warn 5948, crit 5958, min 0, max 5968)");

    // check_tcp's own line; trailing empty fields; ranges kept as written.
    m = parsePerfdata("time=0.000145s;;;0.000000;10.000000 load1=0.5; users=3;@10:20;~:30");
    REQUIRE(m.size() == 3);
    CHECK(m[0].value == doctest::Approx(0.000145));
    CHECK(m[0].uom == "s");
    CHECK(m[0].describe() == "0.000145s (min 0.000000, max 10.000000)");
    CHECK(m[1].describe() == "0.5");
    CHECK(m[2].warn == "@10:20");
    CHECK(m[2].crit == "~:30");

    std::vector<std::string> unparsed;
    m = parsePerfdata("'packet loss'=U;;;0;100 'it''s'=1c 'a=b'=-5.5% rta=1e-3ms x= =5 y=abc z=0,5 'open=3 w=1;2;3;4;5;6", &unparsed);
    REQUIRE(m.size() == 4);
    CHECK(m[0].label == "packet loss");
    CHECK_FALSE(m[0].value);
    CHECK(m[0].describe() == "U (min 0, max 100)");
    CHECK(m[1].label == "it's");
    CHECK(m[1].uom == "c");
    CHECK(m[2].label == "a=b");
    CHECK(m[2].value == -5.5);
    CHECK(m[2].uom == "%");
    CHECK(m[3].value == doctest::Approx(0.001));
    CHECK(m[3].uom == "ms");
    CHECK(unparsed == std::vector<std::string>{"x=", "=5", "y=abc", "z=0,5", "'open=3", "w=1;2;3;4;5;6"});

    // The example in Nagios's own documentation separates pairs with ", ".
    m = parsePerfdata("percent_packet_loss=0, rta=0.80");
    REQUIRE(m.size() == 2);
    CHECK(m[0].value == 0);
    CHECK(m[1].value == 0.8);
}

TEST_CASE("plugin output: the guidelines' multi-line example splits into text, long output and perfdata") {
    const std::string out =
        "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n"
        "/ 15272 MB (77%);\n"
        "/boot 68 MB (69%);\n"
        "/home 69357 MB (27%);\n"
        "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n"
        "/home=69357MB;253404;253409;0;253414 \n"
        "/var/log=818MB;970;975;0;980\n";
    NagiosOutput o = parseNagiosOutput(out);
    CHECK(o.text == "DISK OK - free space: / 3326 MB (56%);");
    CHECK(o.longText ==
          std::vector<std::string>{"/ 15272 MB (77%);", "/boot 68 MB (69%);", "/home 69357 MB (27%);", "/var/log 819 MB (84%); "});
    REQUIRE(o.perfdata.size() == 4);
    CHECK(o.perfdata[0].label == "/");
    CHECK(o.perfdata[1].label == "/boot");
    CHECK(o.perfdata[2].label == "/home");
    CHECK(o.perfdata[2].max == "253414");
    CHECK(o.perfdata[3].label == "/var/log");
    CHECK(o.unparsed.empty());

    NagiosOutput simple = parseNagiosOutput("PING OK - Packet loss = 0%, RTA = 0.80 ms\r\n\r\n\n");
    CHECK(simple.text == "PING OK - Packet loss = 0%, RTA = 0.80 ms");
    CHECK(simple.longText.empty());
    CHECK(simple.perfdata.empty());
    CHECK(parseNagiosOutput("").text.empty());
}

TEST_CASE("exit codes: 0 passes, 1 fails unless warning_passes, 2 fails, 3 and others are errors") {
    Result ok = NagiosCheck::judge(
        exited(0, "TCP OK - 0.000 second response time on 127.0.0.1 port 80|time=0.000145s;;;0.000000;10.000000\n"), tcpSettings(), 9s);
    CHECK(statusOf(ok) == "pass");
    CHECK(ok.summary == "TCP OK - 0.000 second response time on 127.0.0.1 port 80");
    CHECK(ok.value == doctest::Approx(0.000145));
    CHECK(ok.unit == "s");
    CHECK(ok.details == Details{{"program", "/usr/lib/nagios/plugins/check_tcp"},
                                {"state", "OK (exit 0)"},
                                {"time", "0.000145s (min 0.000000, max 10.000000)"}});

    Result warn = NagiosCheck::judge(exited(1, "WARNING: slow\n"), tcpSettings(), 9s);
    CHECK(statusOf(warn) == "fail");
    CHECK(warn.summary == "WARNING: slow");
    CHECK(detailOf(warn, "state") == "WARNING (exit 1)");
    Result warnPasses = NagiosCheck::judge(exited(1, "WARNING: slow\n"), tcpSettings(true), 9s);
    CHECK(statusOf(warnPasses) == "pass");
    CHECK(detailOf(warnPasses, "state") == "WARNING (exit 1), passes: warning_passes");

    Result crit = NagiosCheck::judge(exited(2, "connect to address 127.0.0.1 and port 1: Connection refused\n"), tcpSettings(), 9s);
    CHECK(statusOf(crit) == "fail");
    CHECK(crit.summary == "connect to address 127.0.0.1 and port 1: Connection refused");
    CHECK_FALSE(crit.value);

    Result unknown = NagiosCheck::judge(exited(3, "UNKNOWN: no route\n"), tcpSettings(), 9s);
    CHECK(statusOf(unknown) == "error");
    CHECK(unknown.summary == "UNKNOWN: no route");

    Result odd = NagiosCheck::judge(exited(127, "", "sh: 1: check_nothing: not found\n"), tcpSettings(), 9s);
    CHECK(statusOf(odd) == "error");
    CHECK(odd.summary == "check_tcp exited with 127, not a plugin state (0-3): sh: 1: check_nothing: not found");
    CHECK(detailOf(odd, "state") == "exit 127");
    CHECK(detailOf(odd, "stderr") == "sh: 1: check_nothing: not found");

    Result silent = NagiosCheck::judge(exited(2, ""), tcpSettings(), 9s);
    CHECK(silent.summary == "check_tcp returned CRITICAL (exit 2) and printed nothing");
}

TEST_CASE("a signal, a timeout or a failed start is an error that says so") {
    PluginRun killed = exited(-1, "half a line");
    killed.signal = SIGSEGV;
    Result r = NagiosCheck::judge(killed, tcpSettings(), 9s);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "check_tcp was killed by SIGSEGV: half a line");

    PluginRun slow = exited(-1, "");
    slow.signal = SIGKILL;
    slow.timedOut = true;
    r = NagiosCheck::judge(slow, tcpSettings(), 9500ms);
    CHECK(r.summary == "check_tcp timed out after 9.5 s; its process group was killed");
    CHECK(detailOf(r, "state") == "timed out");

    PluginRun never;
    never.startError = "Permission denied";
    r = NagiosCheck::judge(never, tcpSettings(), 9s);
    CHECK(statusOf(r) == "error");
    CHECK(r.summary == "cannot run /usr/lib/nagios/plugins/check_tcp: Permission denied");
}

TEST_CASE("details are bounded: 20 metrics, 20 long lines, a 500-character summary; labels never hide ours") {
    std::string out = std::string(600, 'x') + " |";
    for (int i = 0; i < 25; ++i) out += " m" + std::to_string(i) + "=" + std::to_string(i);
    out += " state=7 bad\n";
    for (int i = 0; i < 25; ++i) out += "line " + std::to_string(i) + "\n";
    PluginRun run = exited(0, out);
    run.outTruncated = true;
    Result r = NagiosCheck::judge(run, tcpSettings(), 9s);
    CHECK(r.summary == std::string(500, 'x') + "...");
    CHECK(r.value == 0);
    CHECK(detailOf(r, "m19") == "19");
    CHECK(detailOf(r, "m20") == "(absent)");
    CHECK(detailOf(r, "perfdata") == "6 more metrics not shown");
    CHECK(detailOf(r, "unparsed perfdata") == "bad");
    const std::string lines = detailOf(r, "long output");
    CHECK(lines.rfind("line 0\nline 1\n", 0) == 0);
    CHECK(lines.find("line 19\n(5 more lines)") != std::string::npos);
    CHECK(lines.find("line 20") == std::string::npos);
    CHECK(detailOf(r, "output").find("; the rest was dropped") != std::string::npos);

    Result clash = NagiosCheck::judge(exited(0, "OK | state=7\n"), tcpSettings(), 9s);
    CHECK(detailOf(clash, "state") == "OK (exit 0)");
    CHECK(detailOf(clash, "perfdata state") == "7");
}

TEST_CASE("command: a bare name is found on PATH or in /usr/lib/nagios/plugins; a relative path is the pipeline's") {
    auto check = makeCheck("command: [check_dummy, '0', fine]\n");
    CHECK(check->settings().program == "/usr/lib/nagios/plugins/check_dummy");
    CHECK(check->settings().argv == std::vector<std::string>{"check_dummy", "0", "fine"});
    CHECK(check->settings().name == "check_dummy");
    CHECK_FALSE(check->settings().warningPasses);
    CHECK(makeCheck("command: [sh, -c, 'exit 0']\n")->settings().program.find("/sh") != std::string::npos);

    TempDir dir;
    dir.write("plugins/check_local", "#!/bin/sh\necho OK\n");
    ::chmod(dir.file("plugins/check_local").c_str(), 0755);
    CHECK(makeCheck("command: [plugins/check_local]\n", dir.path())->settings().program == dir.path() + "/plugins/check_local");

    auto shell = makeCheck("command: \"check_dummy 0 ok | tr a-z A-Z\"\nshell: true\nwarning_passes: true\n");
    CHECK(shell->settings().program == "/bin/sh");
    CHECK(shell->settings().argv == std::vector<std::string>{"sh", "-c", "check_dummy 0 ok | tr a-z A-Z"});
    CHECK(shell->settings().name == "shell command");
    CHECK(shell->settings().warningPasses);
}

TEST_CASE("environment: PATH (with the plugin folder) and LANG=C, plus env entries; nothing else of the daemon's") {
    ::setenv("WATCHDOG_TEST_SECRET", "do-not-pass", 1);
    auto check = makeCheck("command: [check_dummy, '0']\nenv: [FOO=bar, 'LANG=de_DE.UTF-8', EMPTY=]\n");
    const auto& env = check->settings().env;
    REQUIRE(env.size() == 4);
    CHECK(env[0].rfind("PATH=", 0) == 0);
    CHECK(env[0].find("/usr/lib/nagios/plugins") != std::string::npos);
    CHECK(env[1] == "LANG=de_DE.UTF-8");
    CHECK(env[2] == "FOO=bar");
    CHECK(env[3] == "EMPTY=");
    CHECK(makeCheck("command: [check_dummy, '0']\n")->settings().env[1] == "LANG=C");
}

TEST_CASE("options: errors with file:line:col") {
    CHECK(
        configError("shell: true\n") ==
        "pipeline.yaml:1:1: checks.nagios.command: give the plugin and its arguments as a list, e.g. [check_tcp, -H, 127.0.0.1, -p, '8000']");
    CHECK(
        configError("command: []\n") ==
        "pipeline.yaml:1:10: checks.nagios.command: give the plugin and its arguments as a list, e.g. [check_tcp, -H, 127.0.0.1, -p, '8000']");
    CHECK(
        configError("command: check_tcp -H example.org\n") ==
        "pipeline.yaml:1:10: checks.nagios.command: is one string with spaces: give a list ([check_tcp, -H, example.org]) or set shell: true");
    CHECK(configError("command: [check_dummy, '0']\nshell: true\n") ==
          "pipeline.yaml:1:10: checks.nagios.command: with shell: true, give one string for /bin/sh -c");
    CHECK(configError("command: [check_no_such_plugin]\n")
              .rfind("pipeline.yaml:1:10: checks.nagios.command: 'check_no_such_plugin' is not an executable program on PATH (", 0) == 0);
    TempDir dir;
    const std::string plain = dir.write("notes.txt", "not a program\n");
    CHECK(configError("command: [" + plain + "]\n") ==
          "pipeline.yaml:1:10: checks.nagios.command: '" + plain + "' is not an executable file");
    CHECK(configError("command: [check_dummy, '0']\nenv: [FOO]\n") ==
          "pipeline.yaml:2:6: checks.nagios.env: entry 1 is not NAME=value (NAME of letters, digits and _), e.g. [PGPASSWORD=${DB_PASS}]");
    CHECK(configError("command: [check_dummy, '0']\nenv: [A=1, 9X=secret]\n").find("entry 2 is not NAME=value") != std::string::npos);
    CHECK(configError("command: [check_dummy, '0']\nenv: [A=1, 9X=secret]\n").find("secret") == std::string::npos);
    CHECK(configError("command: [check_dummy, '0']\nwarning_pass: true\n")
              .rfind("pipeline.yaml:2:1: checks.nagios: unknown option 'warning_pass'", 0) == 0);
}
